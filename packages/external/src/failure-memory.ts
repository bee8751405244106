import type { ExternalError } from './errors.js';

/** Most agents remembered at once; past it the oldest failure is forgotten first. */
const MAX_REMEMBERED = 10_000;

/**
 * The last failed fetch of each agent, for `ttlMs`: while it is remembered, deadline mode answers
 * that agent at once with the failure instead of fetching it again on every request. Without it an
 * agent whose fetch always fails slower than the budget reads `pending` forever, and each dashboard
 * view starts its whole retry schedule anew.
 *
 * @example
 * const failures = new FailureMemory(30_000, clock.now);
 * failures.remember(agentId, error);
 * failures.recall(agentId); // the error, for 30 s
 */
export class FailureMemory {
  readonly #failures = new Map<string, { error: ExternalError; at: number }>();
  readonly #ttlMs: number;
  readonly #now: () => number;

  constructor(ttlMs: number, now: () => number) {
    this.#ttlMs = ttlMs;
    this.#now = now;
  }

  remember(agentId: string, error: ExternalError): void {
    if (this.#ttlMs === 0) return;
    // Re-inserted, so that the Map's order stays oldest first.
    this.#failures.delete(agentId);
    this.#failures.set(agentId, { error, at: this.#now() });
    if (this.#failures.size > MAX_REMEMBERED)
      this.#failures.delete(this.#failures.keys().next().value as string);
  }

  forget(agentId: string): void {
    this.#failures.delete(agentId);
  }

  /**
   * The failure, while it is younger than `ttlMs` and not older than `knownSince` (when the config
   * at hand was written: a config fetched after the failure, by another instance say, outdates it).
   */
  recall(agentId: string, knownSince = Number.NEGATIVE_INFINITY): ExternalError | undefined {
    const failure = this.#failures.get(agentId);
    if (!failure) return undefined;
    const ageMs = this.#now() - failure.at;
    // A negative age is a clock stepped back: the failure's age is unknown, so it is forgotten.
    if (ageMs >= 0 && ageMs < this.#ttlMs && failure.at >= knownSince) return failure.error;
    this.#failures.delete(agentId);
    return undefined;
  }
}
