/**
 * Time as the client sees it. Inject one in tests so backoff schedules run without waiting.
 *
 * @example
 * const clock: Clock = { now: () => Date.now(), sleep: (ms) => new Promise((r) => setTimeout(r, ms)) };
 */
export interface Clock {
  /** Wall-clock time in ms since the epoch (it is compared with `Retry-After` HTTP dates). */
  now(): number;
  /** Resolves after `ms`; rejects with `signal.reason` as soon as `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/**
 * The real clock: `Date.now` and an abortable `setTimeout`.
 *
 * @example
 * await systemClock.sleep(100, AbortSignal.timeout(50)); // rejects after 50 ms
 */
export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const onAbort = () => {
        clearTimeout(timer);
        reject(signal?.reason);
      };
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      signal?.addEventListener('abort', onAbort, { once: true });
    }),
};
