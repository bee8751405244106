import { createLatencyHistogram, type LatencySummary, summarize } from '../histogram/latency-histogram.js';
import type { RouteSeries } from './route-series.js';

/** Latency and 5xx share of some series over the sliding window. */
export interface WindowStats {
  latency: LatencySummary;
  errors: number;
  errorRate: number;
}

/**
 * Merges the windows of `series` into one summary. One scratch histogram is
 * reused for every call, since this runs for each route on each evaluation.
 */
export class WindowStatsReader {
  private readonly scratch = createLatencyHistogram();

  read(series: readonly RouteSeries[], now: number): WindowStats {
    this.scratch.reset();
    let errors = 0;
    for (const one of series) errors += one.window.mergeInto(this.scratch, now);
    const latency = summarize(this.scratch);
    return { latency, errors, errorRate: latency.count === 0 ? 0 : errors / latency.count };
  }
}
