import { AsyncLocalStorage } from 'node:async_hooks';
import type { ServerResponse } from 'node:http';
import type { Clock } from '../clock.js';

/** Named durations (ms) of one request, summed per name, for `Server-Timing`. */
export class RequestTimings {
  // Created on the first timed section: a request that times nothing allocates nothing more.
  private durations: Map<string, number> | undefined;

  constructor(
    /** The response the header goes on. */
    readonly response: ServerResponse,
    private readonly start: number,
    private readonly clock: Clock,
  ) {}

  add(name: string, durationMs: number): void {
    this.durations ??= new Map();
    this.durations.set(name, (this.durations.get(name) ?? 0) + durationMs);
  }

  /** The `Server-Timing` header value, in first-use order, ending with the `total` so far. */
  header(): string {
    let value = '';
    if (this.durations !== undefined) {
      for (const [name, ms] of this.durations) value += `${name};dur=${ms.toFixed(1)}, `;
    }
    return `${value}total;dur=${(this.clock() - this.start).toFixed(1)}`;
  }
}

/** The timings of the request whose async context is current. */
export const currentTimings = new AsyncLocalStorage<RequestTimings>();
