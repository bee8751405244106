/** The benchmarks' summary statistics, one definition each: nearest-rank percentiles and the median. */

/** `values` sorted ascending, in a new array. */
export function sortedCopy(values: readonly number[]): number[] {
  return [...values].sort((a, b) => a - b);
}

/**
 * Nearest-rank percentile (`p` in 0..100) of numbers already sorted
 * ascending, for a sample summarized at several percentiles; NaN when empty.
 *
 * @example
 * const sorted = sortedCopy(samples);
 * const [p50, p99] = [percentileOfSorted(sorted, 50), percentileOfSorted(sorted, 99)];
 */
export function percentileOfSorted(sorted: readonly number[], p: number): number {
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] ?? Number.NaN;
}

/**
 * Nearest-rank percentile (`p` in 0..100) of `values` in any order; NaN when empty.
 *
 * @example
 * percentile([3, 1, 2], 50); // 2
 */
export function percentile(values: readonly number[], p: number): number {
  return percentileOfSorted(sortedCopy(values), p);
}

/**
 * The median of `values`; the mean of the middle two for an even count.
 *
 * @example
 * median([1, 2, 3, 10]); // 2.5
 */
export function median(values: readonly number[]): number {
  const sorted = sortedCopy(values);
  const mid = sorted.length >> 1;
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}
