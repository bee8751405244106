import type { LimitFunction } from 'p-limit';
import pLimit from 'p-limit';

/**
 * A concurrency limit that halves (or drops to the server's stated maximum) when the server says
 * too many requests are in flight, and climbs back by one after a full window of successes — never
 * above the last maximum the server stated.
 *
 * @example
 * const limiter = new AdaptiveLimiter(16, 1, (limit) => console.log('now', limit));
 * await limiter.run(() => fetch(url));
 */
export class AdaptiveLimiter {
  readonly #limit: LimitFunction;
  #successes = 0;
  #ceiling: number;
  /** Bumped on each decrease, so the 429s of one burst lower the limit once, not once each. */
  #generation = 0;

  constructor(
    private readonly max: number,
    private readonly min: number,
    private readonly onChange: (limit: number) => void,
  ) {
    this.#limit = pLimit(max);
    this.#ceiling = max;
  }

  get limit(): number {
    return this.#limit.concurrency;
  }

  /** Runs `task` when a slot is free; `task` gets the generation it started in. */
  run<T>(task: (generation: number) => Promise<T>): Promise<T> {
    return this.#limit(() => task(this.#generation));
  }

  /** A request succeeded. */
  recordSuccess(): void {
    if (++this.#successes >= this.limit && this.limit < this.#ceiling) this.#set(this.limit + 1);
  }

  /** A request started in `generation` got 429 `concurrent_limit_exceeded`. */
  recordConcurrencyLimited(generation: number, serverMax: number | undefined): void {
    if (serverMax !== undefined) this.#ceiling = Math.max(this.min, Math.min(this.max, serverMax));
    if (serverMax !== undefined && serverMax < this.limit) {
      this.#set(this.#ceiling);
    } else if (generation === this.#generation) {
      this.#set(Math.max(this.min, Math.floor(this.limit / 2)));
    }
  }

  #set(limit: number): void {
    this.#successes = 0;
    if (limit === this.limit) return;
    if (limit < this.limit) this.#generation++;
    this.#limit.concurrency = limit;
    this.onChange(limit);
  }
}
