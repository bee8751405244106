import { describe, expect, it } from 'vitest';
import {
  createLatencyHistogram,
  latencyBucket,
  recordMicroseconds,
  summarize,
} from '../../src/histogram/latency-histogram.js';

describe('latency buckets', () => {
  it.each([0.25, 12.3456, 1_999.9, 51_234.567])(
    'gives the bucket that a %s ms figure stands for: under 1 % wide, holding the true value',
    (trueMs) => {
      const histogram = createLatencyHistogram();
      recordMicroseconds(histogram, trueMs * 1000);
      const { p99 } = summarize(histogram);
      const bucket = latencyBucket(p99);

      expect(p99).toBeGreaterThanOrEqual(trueMs);
      expect(bucket.upperMs).toBe(p99);
      expect(bucket.lowerMs).toBeLessThanOrEqual(trueMs);
      expect(bucket.upperMs - bucket.lowerMs).toBeLessThan(0.01 * trueMs + 0.001);
    },
  );

  it('tiles the range: each bucket starts a microsecond after the one below ends', () => {
    for (const ms of [0.9, 20, 1_500, 51_200]) {
      const { lowerMs, upperMs } = latencyBucket(ms);
      expect(lowerMs).toBeLessThanOrEqual(ms);
      expect(upperMs).toBeGreaterThanOrEqual(ms);
      const next = latencyBucket(upperMs + 0.001);
      expect(next.lowerMs).toBeCloseTo(upperMs + 0.001, 6);
    }
  });
});
