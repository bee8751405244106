import { AsyncLocalStorage } from 'node:async_hooks';
import type { ServerResponse } from 'node:http';
import type { Clock } from '../clock.js';

/** Named durations (ms) of one request, summed per name, for `Server-Timing`. */
export class RequestTimings {
  private readonly names: string[] = [];
  private readonly durations: number[] = [];

  constructor(
    /** The response the header goes on. */
    readonly response: ServerResponse,
    private readonly start: number,
    private readonly clock: Clock,
  ) {}

  add(name: string, durationMs: number): void {
    const index = this.names.indexOf(name);
    if (index === -1) {
      this.names.push(name);
      this.durations.push(durationMs);
    } else {
      this.durations[index] = (this.durations[index] as number) + durationMs;
    }
  }

  /** The `Server-Timing` header value, ending with the `total` so far. */
  header(): string {
    const totalMs = this.clock() - this.start;
    let value = '';
    for (let i = 0; i < this.names.length; i++) {
      value += `${this.names[i]};dur=${(this.durations[i] as number).toFixed(1)}, `;
    }
    return `${value}total;dur=${totalMs.toFixed(1)}`;
  }
}

/** The timings of the request whose async context is current. */
export const currentTimings = new AsyncLocalStorage<RequestTimings>();
