import { describe, expect, it } from 'vitest';
import { createLatencyHistogram, summarize } from '../../src/histogram/latency-histogram.js';
import { SlidingWindow } from '../../src/histogram/sliding-window.js';

function read(window: SlidingWindow, now: number) {
  const target = createLatencyHistogram();
  const errors = window.mergeInto(target, now);
  return { ...summarize(target), errors };
}

describe('sliding window', () => {
  it('keeps values for the window and drops them slice by slice as time passes', () => {
    const window = new SlidingWindow(10_000, 5, 0);
    window.record(100_000, false, 0);
    window.record(900_000, true, 4_000);
    expect(read(window, 9_999)).toMatchObject({ count: 2, errors: 1 });
    expect(read(window, 10_000)).toMatchObject({ count: 1, errors: 1, max: expect.closeTo(900, -1) });
    expect(read(window, 14_000)).toMatchObject({ count: 0, errors: 0, p99: 0 });
  });

  it('empties entirely after a gap longer than the window', () => {
    const window = new SlidingWindow(1_000, 4, 0);
    for (let t = 0; t < 1_000; t += 100) window.record(5_000, false, t);
    window.record(7_000, false, 60_000);
    expect(read(window, 60_000)).toMatchObject({ count: 1, p50: expect.closeTo(7, 0) });
  });

  it('clamps values outside the trackable range instead of losing them', () => {
    const window = new SlidingWindow(1_000, 1, 0);
    window.record(0, false, 0);
    window.record(10 * 3_600_000_000, false, 0);
    expect(read(window, 0)).toMatchObject({ count: 2, max: expect.closeTo(3_600_000, -4) });
  });
});
