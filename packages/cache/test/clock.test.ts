import { describe, expect, it } from 'vitest';
import { systemClock } from '../src/clock.js';

describe('systemClock', () => {
  it('tells the wall-clock time', () => {
    const before = Date.now();
    const now = systemClock.now();
    expect(now).toBeGreaterThanOrEqual(before);
    expect(now).toBeLessThanOrEqual(Date.now());
  });

  it('sleeps, and rejects with the signal’s reason as soon as the signal aborts', async () => {
    await expect(systemClock.sleep(1)).resolves.toBeUndefined();
    const reason = new Error('stop');
    const timer = new AbortController();
    const sleeping = systemClock.sleep(3_600_000, timer.signal);
    timer.abort(reason);
    await expect(sleeping).rejects.toBe(reason);
    await expect(systemClock.sleep(1, AbortSignal.abort(reason))).rejects.toBe(reason);
  });
});
