import hdr from 'hdr-histogram-js';

/** An HDR histogram of latencies in microseconds. */
export type LatencyHistogram = InstanceType<typeof hdr.Int32Histogram>;

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
  return new hdr.Int32Histogram(1, HIGHEST_TRACKABLE_US, 2);
}

// Any histogram of the same settings knows where each bucket starts and ends.
let bucketReference: LatencyHistogram | undefined;

/**
 * The durations that one figure of a {@link LatencySummary} stands for. Each
 * percentile is the top of a histogram bucket under 1 % wide, so the true
 * value lies between `lowerMs` and the figure: compare another tool's figure
 * with the whole bucket, not with its top.
 *
 * @example
 * ```ts
 * const { p99 } = monitor.snapshot().routes[0]!.window;
 * const { lowerMs } = latencyBucket(p99); // 51_380.223 → 51_118.08
 * ```
 */
export function latencyBucket(ms: number): { lowerMs: number; upperMs: number } {
  bucketReference ??= createLatencyHistogram();
  const micros = Math.round(ms * 1000);
  return {
    lowerMs: bucketReference.lowestEquivalentValue(micros) / 1000,
    upperMs: bucketReference.highestEquivalentValue(micros) / 1000,
  };
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
