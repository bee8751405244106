import { manualClock } from '@perfkit/primitives/testing';
import { describe, expect, it } from 'vitest';
import { DeadlineWatch } from '../../src/l2/deadline-watch.js';

describe('DeadlineWatch', () => {
  it('expires each deadline once its time has passed on the clock, earliest first', async () => {
    const clock = manualClock();
    const watch = new DeadlineWatch(clock);
    const expired: string[] = [];
    watch.add(100, () => expired.push('late'));
    watch.add(50, () => expired.push('early'));
    clock.advance(49);
    await Promise.resolve();
    expect(expired).toEqual([]);
    clock.advance(1);
    await clock.sleeping(50);
    expect(expired).toEqual(['early']);
    clock.advance(50);
    await Promise.resolve();
    expect(expired).toEqual(['early', 'late']);
  });

  it('never expires a deadline removed in time, and says when one had already expired', async () => {
    const clock = manualClock();
    const watch = new DeadlineWatch(clock);
    const expired: string[] = [];
    const answered = watch.add(10, () => expired.push('answered'));
    const late = watch.add(10, () => expired.push('late'));
    expect(watch.remove(answered)).toBe(true);
    clock.advance(10);
    await Promise.resolve();
    expect(expired).toEqual(['late']);
    expect(watch.remove(late)).toBe(false);
  });

  it('on close, expires what it watches and cancels its sleep, so no timer is left running', async () => {
    const clock = manualClock();
    const signals: Array<AbortSignal | undefined> = [];
    const watch = new DeadlineWatch({
      now: clock.now,
      sleep: (ms, signal) => {
        signals.push(signal);
        return clock.sleep(ms, signal);
      },
    });
    const expired: string[] = [];
    watch.add(15_000, () => expired.push('connecting')); // the first operation's longer limit
    watch.add(250, () => expired.push('in flight')); // an earlier deadline replaces the sleep
    watch.close();
    expect(expired.sort()).toEqual(['connecting', 'in flight']);
    // Both sleeps cancelled: the replaced one too, which would otherwise hold the process for 15 s.
    expect(signals.map((signal) => signal?.aborted)).toEqual([true, true]);
    clock.advance(15_000);
    await Promise.resolve();
    expect(expired).toHaveLength(2); // none expires twice
  });
});
