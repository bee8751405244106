import type { Clock } from '@perfkit/primitives';

// The reason a timer is stopped with: never seen by a caller, and allocated once.
const SETTLED = Object.freeze({ settled: true });

/**
 * Settles like `promise`, or rejects with `onTimeout()` once `ms` have passed on `clock`. A late rejection
 * of `promise` is swallowed, so a timed-out operation can never become an unhandled rejection. The clock's
 * sleep is cancelled when `promise` settles, so nothing keeps the process alive afterwards.
 *
 * @example
 * await withTimeout(loader(), 10_000, clock, () => new CacheLoadTimeoutError(key, 10_000));
 */
export function withTimeout<T>(
  promise: Promise<T>,
  ms: number,
  clock: Clock,
  onTimeout: () => Error,
): Promise<T> {
  const timer = new AbortController();
  return new Promise<T>((resolve, reject) => {
    clock.sleep(ms, timer.signal).then(
      () => reject(onTimeout()),
      () => undefined,
    );
    promise.then(
      (value) => {
        timer.abort(SETTLED);
        resolve(value);
      },
      (error: unknown) => {
        timer.abort(SETTLED);
        reject(error);
      },
    );
  });
}
