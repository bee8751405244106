import type { NowClock } from '@perfkit/primitives';

/** Real time plus an offset the test moves forward. */
export interface OffsetClock extends NowClock {
  /** Sets this clock `ms` further ahead of real time. */
  advance(ms: number): void;
}

/**
 * A cache clock that keeps following real time and jumps ahead when told, to age what an app cached
 * without waiting. Not `manualClock`: between jumps the app's loads, pools and timeouts run on real time,
 * and the cache must see that time pass too.
 *
 * @example
 * const clock = offsetClock();
 * const t = await startTestApp('aged', { mode: 'optimized', start: { optimized: { cacheClock: clock } } });
 * clock.advance(61_000); // the overview, fresh for 60 s, is now stale
 */
export function offsetClock(): OffsetClock {
  let offsetMs = 0;
  return {
    now: () => Date.now() + offsetMs,
    advance: (ms) => {
      offsetMs += ms;
    },
  };
}
