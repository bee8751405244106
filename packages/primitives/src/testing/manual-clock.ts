import type { Clock } from '../clock.js';

/**
 * A {@link Clock} that moves only when a test says so, for the tests of every package.
 *
 * @example
 * const clock = manualClock();
 * const waiting = clock.sleep(1_000);
 * clock.advance(1_000); // `waiting` resolves
 */
export interface ManualClock extends Clock {
  /** Moves the time forward by `ms` and wakes every sleep whose time has come, earliest first. */
  advance(ms: number): void;
  /** Resolves once at least `count` sleeps of exactly `ms` are pending, e.g. a waiter that polls. */
  sleeping(ms: number, count?: number): Promise<void>;
  /** Every sleep asked for, in ms, in the order asked (one aborted while pending included). */
  readonly sleeps: readonly number[];
}

/**
 * Options of {@link manualClock}.
 *
 * @example
 * manualClock({ start: Date.parse('2026-11-01T00:00:00Z'), autoAdvance: true });
 */
export interface ManualClockOptions {
  /** The time it starts at, epoch ms. Default `1_700_000_000_000` (2023-11-14T22:13:20Z). */
  start?: number;
  /**
   * A sleep moves the time forward by its own length and resolves at once, so a retry schedule runs
   * without the test driving it (read `sleeps` afterwards). Default `false`: sleeps wait for `advance`.
   */
  autoAdvance?: boolean;
}

interface Sleeper {
  until: number;
  ms: number;
  wake(): void;
}

interface Watcher {
  ms: number;
  count: number;
  notify(): void;
}

const DEFAULT_START = 1_700_000_000_000;

/**
 * A manual clock: tests move time with `advance` (or let each sleep move it, with `autoAdvance`)
 * instead of sleeping.
 *
 * @example
 * const clock = manualClock();
 * const cache = createCache({ clock, ttl: '1s' });
 * clock.advance(1_001); // every entry is now stale
 */
export function manualClock(options: ManualClockOptions = {}): ManualClock {
  let now = options.start ?? DEFAULT_START;
  const sleeps: number[] = [];
  const sleepers = new Set<Sleeper>();
  const watchers = new Set<Watcher>();

  const pendingOf = (ms: number) => [...sleepers].filter((s) => s.ms === ms).length;
  const notifyWatchers = () => {
    for (const watcher of watchers) {
      if (pendingOf(watcher.ms) >= watcher.count) {
        watchers.delete(watcher);
        watcher.notify();
      }
    }
  };

  const advance = (ms: number) => {
    now += ms;
    const due = [...sleepers].filter((s) => s.until <= now).sort((a, b) => a.until - b.until);
    for (const sleeper of due) {
      sleepers.delete(sleeper);
      sleeper.wake();
    }
  };

  const sleep = (ms: number, signal?: AbortSignal): Promise<void> => {
    if (signal?.aborted) return Promise.reject(signal.reason);
    sleeps.push(ms);
    if (options.autoAdvance) advance(ms);
    if (options.autoAdvance || ms <= 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const cancel = () => {
        sleepers.delete(sleeper);
        reject(signal?.reason);
      };
      const sleeper: Sleeper = {
        until: now + ms,
        ms,
        wake: () => {
          signal?.removeEventListener('abort', cancel);
          resolve();
        },
      };
      signal?.addEventListener('abort', cancel, { once: true });
      sleepers.add(sleeper);
      notifyWatchers();
    });
  };

  const sleeping = (ms: number, count = 1) =>
    new Promise<void>((notify) => {
      watchers.add({ ms, count, notify });
      notifyWatchers();
    });

  return { now: () => now, sleep, advance, sleeping, sleeps };
}
