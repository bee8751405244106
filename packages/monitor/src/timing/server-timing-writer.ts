import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { type IncomingMessage, type Server, ServerResponse } from 'node:http';
import type { RequestTimings } from './request-timings.js';

type WriteHead = ServerResponse['writeHead'];

/** What node publishes on `http.server.request.start`. */
interface RequestStart {
  response: ServerResponse;
  server: Server;
}

// Published by every node:http server in the process as a request arrives,
// before its 'request' event, so before any framework has seen the response.
const REQUEST_START = 'http.server.request.start';

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
 * one it had. No prototype is touched.
 *
 * Where it is added matters. Express gives each response a hidden class of
 * its own, so a property added in the middleware makes V8 copy that class
 * (about 20,000 instructions a request). A response of a server the monitor
 * has already seen therefore gets the wrapper as it arrives
 * (`http.server.request.start`), while its hidden class is still node's
 * shared one. The middleware wraps the rest itself: the first request of
 * each server, and a request that reaches it after another one arrived (an
 * asynchronous middleware mounted before the monitor's). Responses of
 * servers the monitor was never handed are left alone.
 *
 * @example
 * ```ts
 * const writer = new ServerTimingWriter();
 * writer.attach(req, res, timings); // in the middleware, before the handler runs
 * writer.close();
 * ```
 */
export class ServerTimingWriter {
  private readonly servers = new WeakSet<Server>();
  // The timings of every attached response, until it ends (`forget`). A Map
  // rather than a WeakMap, as it costs the garbage collector less.
  private readonly timings = new Map<ServerResponse, RequestTimings>();
  // The response wrapped on arrival whose middleware has not run yet: node
  // emits 'request' right after publishing, so the next middleware call is
  // for this response, unless an async middleware runs before the monitor's.
  private arrived: ServerResponse | undefined;
  private state: 'idle' | 'observing' | 'closed' = 'idle';

  private readonly onRequestStart = (message: unknown) => {
    const { response, server } = message as RequestStart;
    // Another subscriber's writeHead would be lost: such a response is wrapped in the middleware.
    if (!this.servers.has(server) || response.writeHead !== nodeWriteHead) return;
    response.writeHead = this.arrivedWriteHead;
    this.arrived = response;
  };

  /**
   * The timings attached to `res`, until it ends. Every `writeHead` wrapper reads them here, so they live
   * in one place and `close()` empties them all.
   */
  readonly timingsOf = (res: ServerResponse): RequestTimings | undefined => this.timings.get(res);

  // One function for every response wrapped on arrival, which all had node's writeHead.
  private readonly arrivedWriteHead = withServerTiming(nodeWriteHead, this.timingsOf);

  /** Has `timings` written into `res`'s headers at commit; the first call subscribes to node's channel. */
  attach(req: IncomingMessage, res: ServerResponse, timings: RequestTimings): void {
    if (res === this.arrived) {
      this.arrived = undefined;
    } else {
      if (this.state === 'closed') return;
      this.learnServerOf(req);
      res.writeHead = withServerTiming(res.writeHead, this.timingsOf);
    }
    this.timings.set(res, timings);
  }

  /** Forgets `res`, which ended; it may have ended without committing headers (cut short). */
  forget(res: ServerResponse): void {
    this.timings.delete(res);
  }

  /** Unsubscribes; responses wrapped already pass through without a header. */
  close(): void {
    this.state = 'closed';
    unsubscribe(REQUEST_START, this.onRequestStart);
    this.timings.clear();
    this.arrived = undefined;
  }

  private learnServerOf(req: IncomingMessage): void {
    const { server } = req.socket as { server?: Server };
    if (server === undefined || this.servers.has(server)) return;
    this.servers.add(server);
    if (this.state === 'idle') {
      subscribe(REQUEST_START, this.onRequestStart);
      this.state = 'observing';
    }
  }
}
