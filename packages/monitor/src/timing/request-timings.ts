import type { ServerResponse } from 'node:http';
import type { Clock } from '../clock.js';

/** Named durations (ms) of one request, summed per name, for `Server-Timing`. */
export class RequestTimings {
  // Created on the first timed section: a request that times nothing allocates nothing more.
  private durations: Map<string, number> | undefined;
  private headerTaken = false;

  constructor(
    private readonly start: number,
    private readonly clock: Clock,
  ) {}

  add(name: string, durationMs: number): void {
    this.durations ??= new Map();
    this.durations.set(name, (this.durations.get(name) ?? 0) + durationMs);
  }

  /**
   * The header value as the response commits its headers, or `undefined` if
   * it was taken already. Every commit goes through `writeHead`, so "once"
   * stands for `headersSent`, which would cost a read on the response.
   */
  takeHeader(): string | undefined {
    if (this.headerTaken) return undefined;
    this.headerTaken = true;
    return this.header();
  }

  /** The `Server-Timing` header value, in first-use order, ending with the `total` so far. */
  private header(): string {
    let value = '';
    if (this.durations !== undefined) {
      for (const [name, ms] of this.durations) value += `${name};dur=${ms.toFixed(1)}, `;
    }
    return `${value}total;dur=${(this.clock() - this.start).toFixed(1)}`;
  }
}

/**
 * Sets `Server-Timing` on `res` just before it commits its headers. Node
 * offers no event or diagnostics channel for that moment, and every commit
 * goes through `writeHead`, whether the handler calls it or `res.end()`
 * does; so, as the `on-headers` package does, this wraps `writeHead` on this
 * one response object, which the monitor was handed, calling whatever
 * `writeHead` it had. No prototype is touched.
 *
 * @example
 * ```ts
 * setServerTimingAtCommit(res, new RequestTimings(clock(), clock));
 * ```
 */
export function setServerTimingAtCommit(res: ServerResponse, timings: RequestTimings): void {
  const writeHead = res.writeHead;
  res.writeHead = function (this: ServerResponse) {
    const header = timings.takeHeader();
    if (header !== undefined) this.setHeader('Server-Timing', header);
    // `arguments` rather than a rest parameter: V8 forwards it through
    // `Reflect.apply` without allocating an array.
    // biome-ignore lint/complexity/noArguments: forwarded without allocation, see above
    return Reflect.apply(writeHead, this, arguments);
  } as ServerResponse['writeHead'];
}
