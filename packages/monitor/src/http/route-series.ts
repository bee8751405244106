import { CumulativeBuckets } from '../histogram/cumulative-buckets.js';
import { SlidingWindow } from '../histogram/sliding-window.js';
import { normalizeMethod, OTHER_METHOD } from './http-method.js';

/**
 * The route label of requests that matched no route: one series for all of them.
 *
 * @example
 * ```ts
 * monitor.snapshot().routes.find((r) => r.route === UNMATCHED_ROUTE);
 * ```
 */
export const UNMATCHED_ROUTE = '_unmatched';
/**
 * The route label that absorbs new routes once `maxSeries` is reached.
 *
 * @example
 * ```ts
 * const capped = monitor.snapshot().routes.some((r) => r.route === OVERFLOW_ROUTE);
 * ```
 */
export const OVERFLOW_ROUTE = '_overflow';

/** Status class labels by `statusCode / 100`; index 0 holds anything outside 1xx–5xx. */
export const STATUS_CLASSES = ['other', '1xx', '2xx', '3xx', '4xx', '5xx'] as const;

/** Settings shared by every series of one monitor. */
export interface SeriesSettings {
  windowMs: number;
  windowSlices: number;
  buckets: readonly number[];
}

/** Everything recorded for one route template and method. */
export class RouteSeries {
  readonly window: SlidingWindow;
  /** Cumulative Prometheus buckets per status class, created on first use. */
  readonly byStatusClass: (CumulativeBuckets | undefined)[] = new Array(STATUS_CLASSES.length).fill(
    undefined,
  );

  constructor(
    readonly route: string,
    readonly method: string,
    private readonly settings: SeriesSettings,
    now: number,
  ) {
    this.window = new SlidingWindow(settings.windowMs, settings.windowSlices, now);
  }

  record(micros: number, statusCode: number, now: number): void {
    const statusClass = (statusCode / 100) | 0;
    const index = statusClass >= 1 && statusClass <= 5 ? statusClass : 0;
    let buckets = this.byStatusClass[index];
    if (buckets === undefined) {
      buckets = new CumulativeBuckets(this.settings.buckets);
      this.byStatusClass[index] = buckets;
    }
    buckets.observe(micros / 1e6);
    this.window.record(micros, statusClass === 5, now);
  }
}

// Requests are recorded in batches of this many. A request then writes three
// numbers to a buffer that stays in the CPU cache, and a batch touches a
// series' buckets and histograms once instead of once per request: under load
// they have left the cache between two requests (bench/monitor measured the
// difference at about a point of throughput).
const RECORD_BATCH = 64;

/**
 * The series of one monitor, keyed by route then method, capped at
 * `maxSeries`; past the cap every new route and method shares one overflow
 * series, so random URLs cannot grow memory or Prometheus cardinality.
 * Requests are recorded in batches; every read goes through {@link all},
 * which records the pending ones first.
 */
export class SeriesTable {
  private readonly routes = new Map<string, Map<string, RouteSeries>>();
  private readonly list: RouteSeries[] = [];
  private overflow: RouteSeries | undefined;
  private readonly pendingSeries: (RouteSeries | undefined)[] = new Array(RECORD_BATCH).fill(undefined);
  // micros, status code and end time of each pending request, in turn.
  private readonly pendingValues = new Float64Array(3 * RECORD_BATCH);
  private pendingCount = 0;

  constructor(
    private readonly settings: SeriesSettings,
    private readonly maxSeries: number,
  ) {}

  /**
   * The series for a route and a request's method, created if the cap
   * allows. An unknown method shares its route's `_OTHER` series; a known
   * one is found with a single lookup.
   */
  resolve(route: string, requestMethod: string | undefined, now: number): RouteSeries {
    const byMethod = this.routes.get(route);
    const existing = requestMethod === undefined ? undefined : byMethod?.get(requestMethod);
    if (existing !== undefined) return existing;
    const method = normalizeMethod(requestMethod);
    const normalized = byMethod?.get(method);
    if (normalized !== undefined) return normalized;
    if (this.list.length >= this.maxSeries) return this.overflowSeries(now);
    const series = new RouteSeries(route, method, this.settings, now);
    if (byMethod === undefined) this.routes.set(route, new Map([[method, series]]));
    else byMethod.set(method, series);
    this.list.push(series);
    return series;
  }

  /** Records a finished request in `series`, with the next batch. */
  record(series: RouteSeries, micros: number, statusCode: number, now: number): void {
    const i = this.pendingCount;
    this.pendingSeries[i] = series;
    this.pendingValues[3 * i] = micros;
    this.pendingValues[3 * i + 1] = statusCode;
    this.pendingValues[3 * i + 2] = now;
    this.pendingCount = i + 1;
    if (this.pendingCount === RECORD_BATCH) this.recordPending();
  }

  /** Every series, the overflow one last if it exists, with every request recorded. */
  all(): readonly RouteSeries[] {
    this.recordPending();
    return this.overflow === undefined ? this.list : [...this.list, this.overflow];
  }

  private recordPending(): void {
    const values = this.pendingValues;
    for (let i = 0; i < this.pendingCount; i++) {
      const series = this.pendingSeries[i] as RouteSeries;
      series.record(values[3 * i] as number, values[3 * i + 1] as number, values[3 * i + 2] as number);
    }
    this.pendingCount = 0;
  }

  private overflowSeries(now: number): RouteSeries {
    this.overflow ??= new RouteSeries(OVERFLOW_ROUTE, OTHER_METHOD, this.settings, now);
    return this.overflow;
  }
}
