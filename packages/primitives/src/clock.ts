/**
 * Time as every perfkit package sees it: `now` tells the time, `sleep` carries every wait. Inject one
 * clock (`manualClock()` from `@perfkit/primitives/testing` in tests) into every package instead of
 * sleeping. Both methods work detached from the object (`const { now } = clock`).
 *
 * @example
 * createCache({ clock });
 * new ElevenLabsClient({ apiKey, clock });
 * createMonitor({ clock });
 */
export interface Clock {
  /** Milliseconds since the epoch, with sub-millisecond resolution where the clock has it. */
  now(): number;
  /** Resolves after `ms`; rejects with `signal.reason` as soon as `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/**
 * The part of a {@link Clock} that tells the time: what a package that never waits asks for, and what a
 * test with a frozen `now` may pass where a package accepts it.
 *
 * @example
 * createMonitor({ clock: { now: () => frozenAt } });
 */
export type NowClock = Pick<Clock, 'now'>;

// Read once: the getter costs more than `performance.now()` itself, and the origin never changes.
const TIME_ORIGIN = performance.timeOrigin;

/**
 * The real clock. `now` is `performance.timeOrigin + performance.now()`: epoch milliseconds with
 * microsecond resolution that never go backwards, so the same clock can time a request and stamp a
 * cache entry. The price of monotonic: a step of the system's wall clock after start-up (or a
 * suspend) is not followed, so `now` can drift from `Date.now()` by that step.
 *
 * @example
 * const start = systemClock.now();
 * await systemClock.sleep(20); // resolves 20 ms later
 * systemClock.now() - start; // ≈ 20.3
 */
export const systemClock: Clock = {
  now: () => TIME_ORIGIN + performance.now(),
  sleep(ms, signal) {
    if (signal === undefined) return new Promise((wake) => setTimeout(wake, ms));
    if (signal.aborted) return Promise.reject(signal.reason);
    return new Promise((wake, cancel) => {
      const stop = () => {
        clearTimeout(timer);
        cancel(signal.reason);
      };
      const timer = setTimeout(() => {
        signal.removeEventListener('abort', stop);
        wake();
      }, ms);
      signal.addEventListener('abort', stop, { once: true });
    });
  },
};
