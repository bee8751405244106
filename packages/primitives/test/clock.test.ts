import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { type Clock, preciseClock, systemClock } from '../src/index.js';
import { manualClock } from '../src/testing/index.js';

/** A clock under test, and how a test lets `ms` pass on it. */
interface ClockDriver {
  clock: Clock;
  /** Lets `ms` pass: the manual clock is advanced, the others move by themselves. */
  elapse(ms: number): void;
  /** How far before its time a sleep may end: real timers fire on a millisecond tick. */
  slackMs: number;
}

const nothing = () => undefined;

// Every Clock of the repository must pass the table below.
const CLOCKS: ReadonlyArray<readonly [name: string, make: () => ClockDriver]> = [
  ['systemClock', () => ({ clock: systemClock, elapse: nothing, slackMs: 1 })],
  ['preciseClock', () => ({ clock: preciseClock, elapse: nothing, slackMs: 1 })],
  [
    'manualClock()',
    () => {
      const clock = manualClock();
      return { clock, elapse: clock.advance, slackMs: 0 };
    },
  ],
  [
    'manualClock({ autoAdvance })',
    () => ({ clock: manualClock({ autoAdvance: true }), elapse: nothing, slackMs: 0 }),
  ],
];

describe.each(CLOCKS)('the Clock contract: %s', (_name, make) => {
  it('tells epoch milliseconds that never go backwards, from a detached `now`', () => {
    const { now } = make().clock;
    const first = now();
    expect(Number.isFinite(first)).toBe(true);
    expect(first).toBeGreaterThan(Date.parse('2020-01-01T00:00:00Z'));
    expect(now()).toBeGreaterThanOrEqual(first);
  });

  it('ends a sleep once its time has passed on the clock, from a detached `sleep`', async () => {
    const { clock, elapse, slackMs } = make();
    const { sleep } = clock;
    const start = clock.now();
    const woke = sleep(20).then(() => clock.now());
    elapse(20);
    expect(await woke).toBeGreaterThanOrEqual(start + 20 - slackMs);
  });

  it('ends a sleep of 0 ms', async () => {
    const { clock, elapse } = make();
    const woke = clock.sleep(0);
    elapse(0);
    await expect(woke).resolves.toBeUndefined();
  });

  it('rejects with the signal’s reason at once when the signal has already aborted', async () => {
    const reason = new Error('stop');
    await expect(make().clock.sleep(3_600_000, AbortSignal.abort(reason))).rejects.toBe(reason);
  });

  it('leaves no abort listener on the signal once the sleep has ended', async () => {
    const { clock, elapse } = make();
    const controller = new AbortController();
    const woke = clock.sleep(5, controller.signal);
    elapse(5);
    await woke;
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });
});

describe.each(CLOCKS.slice(0, 2))('a clock whose sleeps wait: %s', (_name, make) => {
  it('rejects a pending sleep with the signal’s reason as soon as the signal aborts', async () => {
    const { clock } = make();
    const reason = new Error('stop');
    const controller = new AbortController();
    const sleeping = clock.sleep(3_600_000, controller.signal);
    controller.abort(reason);
    await expect(sleeping).rejects.toBe(reason);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });
});

describe('the real clocks', () => {
  it('systemClock tells the wall-clock time in whole milliseconds', () => {
    const before = Date.now();
    const now = systemClock.now();
    expect(now).toBeGreaterThanOrEqual(before);
    expect(Number.isInteger(now)).toBe(true);
  });

  it('preciseClock tells the same time with sub-millisecond resolution', () => {
    // Margins far above machine noise: the two clocks agree to well under a second.
    expect(Math.abs(preciseClock.now() - Date.now())).toBeLessThan(1_000);
    const readings = Array.from({ length: 1_000 }, preciseClock.now);
    expect(readings.some((ms) => !Number.isInteger(ms))).toBe(true);
  });
});

describe('manualClock', () => {
  it('keeps a sleep pending until `advance` reaches its time, and wakes sleepers earliest first', async () => {
    const clock = manualClock({ start: 0 });
    const woken: number[] = [];
    const late = clock.sleep(30).then(() => woken.push(30));
    const early = clock.sleep(10).then(() => woken.push(10));
    clock.advance(9);
    await Promise.resolve();
    expect(woken).toEqual([]);
    clock.advance(21);
    await Promise.all([late, early]);
    expect(woken).toEqual([10, 30]);
    expect(clock.now()).toBe(30);
  });

  it('tells when sleeps of a length are pending, so a test can advance exactly then', async () => {
    const clock = manualClock();
    const polled = clock.sleeping(20, 2);
    void clock.sleep(20);
    void clock.sleep(50);
    void clock.sleep(20);
    await polled;
    expect(clock.sleeps).toEqual([20, 50, 20]);
  });

  it('with autoAdvance, moves the time by each sleep and records it', async () => {
    const clock = manualClock({ start: 1_000, autoAdvance: true });
    await clock.sleep(1_000);
    await clock.sleep(2_000);
    expect(clock.now()).toBe(4_000);
    expect(clock.sleeps).toEqual([1_000, 2_000]);
  });
});
