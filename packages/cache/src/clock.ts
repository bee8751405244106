/**
 * The time source of every freshness decision (TTL, stale windows, circuit cool-down).
 * Inject a manual clock in tests instead of sleeping.
 *
 * @example
 * let now = 0;
 * const cache = createCache({ clock: { now: () => now } });
 */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
}

/**
 * The wall clock, `Date.now()`; the default `clock`.
 *
 * @example
 * createCache({ clock: systemClock });
 */
export const systemClock: Clock = { now: () => Date.now() };
