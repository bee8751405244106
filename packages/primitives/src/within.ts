import { setTimeout as sleep } from 'node:timers/promises';

/**
 * `promise`'s value, or `onTimeout` if `ms` pass first (at most `MAX_TIMER_MS`). The timer is cleared
 * either way and never keeps the process alive; `promise` itself runs on.
 *
 * @example
 * const closed = await within(closeAll().then(() => true), graceMs, false);
 */
export async function within<T, U>(promise: Promise<T>, ms: number, onTimeout: U): Promise<T | U> {
  const timer = new AbortController();
  try {
    return await Promise.race([promise, sleep(ms, onTimeout, { ref: false, signal: timer.signal })]);
  } finally {
    timer.abort();
  }
}
