import { ServerResponse } from 'node:http';
import type { RequestTimings } from './request-timings.js';

type WriteHead = ServerResponse['writeHead'];

const nodeWriteHead = ServerResponse.prototype.writeHead;

/**
 * A `writeHead` that sets the response's `Server-Timing` from `timingsOf`,
 * once, then calls `writeHead`.
 */
function withServerTiming(
  writeHead: WriteHead,
  timingsOf: (res: ServerResponse) => RequestTimings | undefined,
): WriteHead {
  return function (this: ServerResponse) {
    const header = timingsOf(this)?.takeHeader();
    if (header !== undefined) this.setHeader('Server-Timing', header);
    // `arguments` rather than a rest parameter: V8 forwards it through
    // `Reflect.apply` without allocating an array.
    // biome-ignore lint/complexity/noArguments: forwarded without allocation, see above
    return Reflect.apply(writeHead, this, arguments);
  } as WriteHead;
}

/**
 * Sets each monitored response's `Server-Timing` just before it commits its
 * headers. Node offers no event or diagnostics channel for that moment, and
 * every commit goes through `writeHead`, whether the handler calls it or
 * `res.end()` does; so, as the `on-headers` package does, the response
 * object gets a `writeHead` of its own that adds the header and calls the
 * one it had. No prototype is touched. When a response gets it is
 * `ArrivingResponses`' choice: as it arrives, where that is cheap.
 *
 * @example
 * ```ts
 * const writer = new ServerTimingWriter();
 * writer.prepare(res); // before the handler runs
 * writer.attach(res, timings); // in the middleware
 * writer.close();
 * ```
 */
export class ServerTimingWriter {
  private readonly timings = new Map<ServerResponse, RequestTimings>();

  /**
   * The timings attached to `res`, until it ends. Every `writeHead` wrapper reads them here, so they live
   * in one place and `close()` empties them all.
   */
  readonly timingsOf = (res: ServerResponse): RequestTimings | undefined => this.timings.get(res);

  // One wrapper shared by every response whose `writeHead` is still node's.
  private readonly sharedWriteHead = withServerTiming(nodeWriteHead, this.timingsOf);

  /** Gives `res` a `writeHead` that writes its timings, if any are attached by then. */
  prepare(res: ServerResponse): void {
    res.writeHead =
      res.writeHead === nodeWriteHead
        ? this.sharedWriteHead
        : withServerTiming(res.writeHead, this.timingsOf);
  }

  /** Has `timings` written into `res`'s headers at commit. */
  attach(res: ServerResponse, timings: RequestTimings): void {
    this.timings.set(res, timings);
  }

  /** Forgets `res`, which ended; it may have ended without committing headers (cut short). */
  forget(res: ServerResponse): void {
    this.timings.delete(res);
  }

  /** Forgets every response; responses prepared already pass through without a header. */
  close(): void {
    this.timings.clear();
  }
}
