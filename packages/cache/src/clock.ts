/**
 * The cache's time: `now` decides freshness, circuit cool-downs and load durations; `sleep` carries every
 * wait (L2 and loader timeouts, lease polling). Inject a manual clock in tests instead of sleeping.
 *
 * @example
 * let now = 0;
 * const sleepers: (() => void)[] = [];
 * const clock: Clock = { now: () => now, sleep: () => new Promise((wake) => sleepers.push(wake)) };
 */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Resolves after `ms`; rejects with `signal.reason` as soon as `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/**
 * A clock that only tells the time (the shape before `sleep` was added). Given one, the cache decides
 * freshness and circuit cool-downs by it and waits on `systemClock`.
 *
 * @example
 * createCache({ clock: { now: () => frozenAt } });
 */
export type NowClock = Pick<Clock, 'now'>;

/**
 * The wall clock (`Date.now`) and real timers; the default `clock`.
 *
 * @example
 * await systemClock.sleep(20); // resolves 20 ms later
 */
export const systemClock: Clock = {
  now: () => Date.now(),
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

/** Splits an injected clock into the one that decides freshness and the one that times waits. */
export function clocksOf(clock: Clock | NowClock): { clock: NowClock; waitClock: Clock } {
  // A clock without `sleep` cannot wait; its `now` (often frozen in tests) must not time the waits either.
  const canSleep = 'sleep' in clock && typeof clock.sleep === 'function';
  return { clock, waitClock: canSleep ? clock : systemClock };
}
