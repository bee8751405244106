/**
 * Cumulative Prometheus histogram state (per-bucket counts, sum, count) that
 * costs a short loop per observation: no label hashing, no allocation. The
 * HTTP series use it instead of prom-client's `observe`, which hashes labels
 * on every call; it is exported to Prometheus at scrape time.
 */
export class CumulativeBuckets {
  /** Non-cumulative counts per bucket; the last slot is `+Inf`. */
  readonly counts: Float64Array;
  sum = 0;
  count = 0;

  constructor(readonly bounds: readonly number[]) {
    this.counts = new Float64Array(bounds.length + 1);
  }

  observe(seconds: number): void {
    let i = 0;
    while (i < this.bounds.length && seconds > (this.bounds[i] as number)) i++;
    this.counts[i] = (this.counts[i] as number) + 1;
    this.sum += seconds;
    this.count++;
  }
}
