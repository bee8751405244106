import type { NowClock } from '@perfkit/primitives';

/**
 * Times named sections of one request for its `Server-Timing` header; get a
 * request's with `monitor.timer(res)`.
 */
export interface RequestTimer {
  /**
   * Runs `fn` (sync or async) and adds its duration under `name`, summed
   * per name; a section that throws or rejects is recorded too.
   */
  time<T>(name: string, fn: () => T): T;
}

/** The timer of a request the monitor does not time (`serverTiming` off, or not passed through it): it only runs `fn`. */
export const UNTIMED: RequestTimer = { time: (_name, fn) => fn() };

/** Whether `value` is a promise or another thenable. */
export function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as PromiseLike<unknown> | null)?.then === 'function';
}

/** Named durations (ms) of one request, summed per name, for `Server-Timing`. */
export class RequestTimings implements RequestTimer {
  // Created on the first timed section: a request that times nothing allocates nothing more.
  private durations: Map<string, number> | undefined;
  private headerTaken = false;

  constructor(
    private readonly start: number,
    private readonly clock: NowClock,
  ) {}

  time<T>(name: string, fn: () => T): T {
    const { clock } = this;
    const start = clock.now();
    let result: T;
    try {
      result = fn();
    } catch (error) {
      this.add(name, clock.now() - start);
      throw error;
    }
    // The synchronous path allocates no closure.
    if (!isPromiseLike(result)) {
      this.add(name, clock.now() - start);
      return result;
    }
    const settle = () => this.add(name, clock.now() - start);
    return result.then(
      (value) => {
        settle();
        return value;
      },
      (error: unknown) => {
        settle();
        throw error;
      },
    ) as T;
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

  private add(name: string, durationMs: number): void {
    this.durations ??= new Map();
    this.durations.set(name, (this.durations.get(name) ?? 0) + durationMs);
  }

  /** The `Server-Timing` header value, in first-use order, ending with the `total` so far. */
  private header(): string {
    let value = '';
    if (this.durations !== undefined) {
      for (const [name, ms] of this.durations) value += `${name};dur=${ms.toFixed(1)}, `;
    }
    return `${value}total;dur=${(this.clock.now() - this.start).toFixed(1)}`;
  }
}
