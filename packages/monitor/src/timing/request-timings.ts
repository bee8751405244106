import type { NowClock } from '@perfkit/primitives';

/** Named durations (ms) of one request, summed per name, for `Server-Timing`. */
export class RequestTimings {
  // Created on the first timed section: a request that times nothing allocates nothing more.
  private durations: Map<string, number> | undefined;
  private headerTaken = false;

  constructor(
    private readonly start: number,
    private readonly clock: NowClock,
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
    return `${value}total;dur=${(this.clock.now() - this.start).toFixed(1)}`;
  }
}
