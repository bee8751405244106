import * as hdr from 'hdr-histogram-js';
import type { LatencySummary } from './report-schema.js';

/** Latencies are recorded in microseconds, from 1 µs to 10 minutes, at 3 significant digits. */
export const HISTOGRAM_UNIT = 'us';
const HIGHEST_TRACKABLE_US = 600_000_000;

export type Histogram = hdr.Histogram;

/**
 * Creates an empty latency histogram (microseconds).
 *
 * @example
 * const h = createHistogram();
 * h.recordValue(1500); // 1.5 ms
 */
export function createHistogram(): Histogram {
  return hdr.build({
    bitBucketSize: 64,
    lowestDiscernibleValue: 1,
    highestTrackableValue: HIGHEST_TRACKABLE_US,
    numberOfSignificantValueDigits: 3,
    useWebAssembly: false,
  });
}

/** Records a latency given in milliseconds, clamped to the histogram's range. */
export function recordMs(histogram: Histogram, ms: number): void {
  histogram.recordValue(Math.min(HIGHEST_TRACKABLE_US, Math.max(1, Math.round(ms * 1000))));
}

/**
 * Encodes a histogram as HdrHistogram's compressed base64 form, readable by
 * every HdrHistogram port (Java, Go, Rust, C).
 *
 * @example
 * const text = encodeHistogram(h); const back = decodeHistogram(text);
 */
export function encodeHistogram(histogram: Histogram): string {
  return hdr.encodeIntoCompressedBase64(histogram);
}

/** Decodes {@link encodeHistogram}'s output. */
export function decodeHistogram(encoded: string): Histogram {
  return hdr.decodeFromCompressedBase64(encoded, 64, false);
}

/** Sums histograms into a new one. */
export function mergeHistograms(histograms: Histogram[]): Histogram {
  const total = createHistogram();
  for (const h of histograms) total.add(h);
  return total;
}

/** The percentile metrics a threshold or the gate can name. */
export const LATENCY_METRICS = ['mean', 'p50', 'p90', 'p99', 'p999', 'max'] as const;
export type LatencyMetric = (typeof LATENCY_METRICS)[number];

/**
 * Summarizes a microsecond histogram in milliseconds.
 *
 * @example
 * summarize(h).p99 // e.g. 91.3
 */
export function summarize(histogram: Histogram): LatencySummary {
  const ms = (us: number) => Math.round(us) / 1000;
  if (histogram.totalCount === 0) return { count: 0, mean: 0, p50: 0, p90: 0, p99: 0, p999: 0, max: 0 };
  return {
    count: histogram.totalCount,
    mean: ms(histogram.mean),
    p50: ms(histogram.getValueAtPercentile(50)),
    p90: ms(histogram.getValueAtPercentile(90)),
    p99: ms(histogram.getValueAtPercentile(99)),
    p999: ms(histogram.getValueAtPercentile(99.9)),
    max: ms(histogram.maxValue),
  };
}

/**
 * The percentile curve of a histogram for plotting: points at 0 %, then
 * denser towards the tail (90, 99, 99.9 …), each with its latency in ms.
 *
 * @example
 * percentileCurve(h).at(-1) // { percentile: 100, ms: <max> }
 */
export function percentileCurve(histogram: Histogram): Array<{ percentile: number; ms: number }> {
  if (histogram.totalCount === 0) return [];
  const points: Array<{ percentile: number; ms: number }> = [];
  const maxNines = Math.max(1, Math.min(6, Math.ceil(Math.log10(histogram.totalCount))));
  for (let k = 0; k <= maxNines * 20; k++) {
    const percentile = 100 * (1 - 10 ** (-k / 20));
    points.push({ percentile, ms: histogram.getValueAtPercentile(percentile) / 1000 });
  }
  points.push({ percentile: 100, ms: histogram.maxValue / 1000 });
  return points;
}
