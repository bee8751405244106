import { AsyncLocalStorage } from 'node:async_hooks';

/** Named durations (ms) of one request, summed per name, for `Server-Timing`. */
export class RequestTimings {
  private readonly names: string[] = [];
  private readonly durations: number[] = [];

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
  header(totalMs: number): string {
    let value = '';
    for (let i = 0; i < this.names.length; i++) {
      value += `${this.names[i]};dur=${(this.durations[i] as number).toFixed(1)}, `;
    }
    return `${value}total;dur=${totalMs.toFixed(1)}`;
  }
}

/** The timings of the request whose async context is current. */
export const currentTimings = new AsyncLocalStorage<RequestTimings>();
