import type { Clock } from '../../src/index.js';

export interface ManualClock {
  clock: Clock;
  advance(ms: number): void;
}

/** A clock that moves only when told to. */
export function manualClock(start = 1_000): ManualClock {
  let now = start;
  return {
    clock: () => now,
    advance: (ms) => {
      now += ms;
    },
  };
}
