import hdr from 'hdr-histogram-js';

/** An HDR histogram of latencies in microseconds. */
export type LatencyHistogram = ReturnType<typeof hdr.build>;

/**
 * Latency figures over a window, in milliseconds.
 *
 * @example
 * ```ts
 * const { p95 } = monitor.snapshot().routes[0]!;
 * ```
 */
export interface LatencySummary {
  count: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

// One hour in microseconds; slower values are clamped rather than dropped so
// that they still count. Two significant digits (1% error) keep a histogram
// near 13 KB, which matters with hundreds of series times several slices.
const HIGHEST_TRACKABLE_US = 3_600_000_000;

/** Creates an empty latency histogram (microseconds, 1% precision). */
export function createLatencyHistogram(): LatencyHistogram {
  return hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: HIGHEST_TRACKABLE_US,
    numberOfSignificantValueDigits: 2,
    bitBucketSize: 32,
  });
}

/** Records a duration in microseconds, clamped into the trackable range. */
export function recordMicroseconds(histogram: LatencyHistogram, micros: number): void {
  histogram.recordValue(
    micros < 1 ? 1 : micros > HIGHEST_TRACKABLE_US ? HIGHEST_TRACKABLE_US : Math.round(micros),
  );
}

/** Summarises a histogram in milliseconds. */
export function summarize(histogram: LatencyHistogram): LatencySummary {
  const count = histogram.totalCount;
  const ms = (micros: number) => (count === 0 ? 0 : Math.round(micros) / 1000);
  return {
    count,
    p50: ms(histogram.getValueAtPercentile(50)),
    p95: ms(histogram.getValueAtPercentile(95)),
    p99: ms(histogram.getValueAtPercentile(99)),
    max: ms(histogram.maxValue),
  };
}
