/**
 * What the app's own monitor saw, read from its Prometheus `/metrics`: the
 * request-duration buckets per route and status class, and the event loop's
 * longest delay since the previous scrape; and from `/metrics/snapshot`, a
 * route's exact p99 over the monitor's window.
 */
import type { MonitorSnapshot } from '@perfkit/monitor';

const DURATION_BUCKET = 'http_server_request_duration_seconds_bucket';
const EXTERNAL_COUNT = 'http_client_request_duration_seconds_count';
const LAG_MAX = 'nodejs_eventloop_lag_max_seconds';
// prom-client samples the event loop every 10 ms (its default precision) and counts that period as delay;
// the app's load shedder subtracts it, and so does this reading, so the two compare.
const LAG_SAMPLER_MS = 10;

/** Cumulative bucket counts of one route and status class, as scraped (`le` bounds in seconds, `+Inf` last). */
export interface Buckets {
  bounds: number[];
  cumulative: number[];
}

/** One scrape: buckets keyed `route|statusClass`, and the event-loop delay maximum since the previous scrape (prom-client resets it). */
export interface Scrape {
  buckets: Map<string, Buckets>;
  lagMaxMs: number;
  /** ElevenLabs attempts finished so far (all outcomes). */
  externalCalls: number;
}

const LINE = /^(\w+)\{([^}]*)\} (\S+)$/;
const LABEL = /(\w+)="((?:[^"\\]|\\.)*)"/g;

/** Parses the parts of the exposition text this suite reads. */
export function parseMetrics(text: string): Scrape {
  const buckets = new Map<string, Buckets>();
  let lagMaxMs = 0;
  let externalCalls = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith(`${LAG_MAX} `))
      lagMaxMs = Math.max(0, Number(line.split(' ')[1]) * 1000 - LAG_SAMPLER_MS);
    const match = LINE.exec(line);
    if (match?.[1] === EXTERNAL_COUNT) externalCalls += Number(match[3]);
    if (match?.[1] !== DURATION_BUCKET) continue;
    const labels = Object.fromEntries([...(match[2] ?? '').matchAll(LABEL)].map((m) => [m[1], m[2]]));
    const key = `${labels.http_route}|${labels.http_response_status_class}`;
    const series = buckets.get(key) ?? { bounds: [], cumulative: [] };
    series.bounds.push(labels.le === '+Inf' ? Number.POSITIVE_INFINITY : Number(labels.le));
    series.cumulative.push(Number(match[3]));
    buckets.set(key, series);
  }
  return { buckets, lagMaxMs, externalCalls };
}

/**
 * Scrapes `/metrics` with the metrics token.
 *
 * @example
 * const before = await scrapeMetrics(app.url, token);
 */
export async function scrapeMetrics(baseUrl: string, token: string): Promise<Scrape> {
  const res = await fetch(`${baseUrl}/metrics`, { headers: { authorization: `Bearer ${token}` } });
  if (!res.ok) throw new Error(`GET /metrics answered ${res.status}`);
  return parseMetrics(await res.text());
}

/** What `/metrics/snapshot` says of one route over the monitor's window: HDR figures, 1 % precision. */
export interface WindowLatency {
  count: number;
  p99Ms: number;
}

/**
 * Reads the app's `/metrics/snapshot` (the monitor's snapshot, JSON) for
 * `route`'s GETs over its window; undefined when it saw none.
 *
 * @example
 * const overview = await readWindowLatency(app.url, token, '/api/dashboard/overview');
 */
export async function readWindowLatency(
  baseUrl: string,
  token: string,
  route: string,
): Promise<WindowLatency | undefined> {
  const res = await fetch(`${baseUrl}/metrics/snapshot`, { headers: { authorization: `Bearer ${token}` } });
  if (!res.ok) throw new Error(`GET /metrics/snapshot answered ${res.status}`);
  const snapshot = (await res.json()) as MonitorSnapshot;
  const stats = snapshot.routes.find((r) => r.route === route && r.method === 'GET');
  return stats ? { count: stats.window.count, p99Ms: stats.window.p99 } : undefined;
}

/**
 * The requests of `route` with status class `statusClass` between two
 * scrapes, as cumulative bucket counts (all zero when there were none).
 */
export function bucketsBetween(before: Scrape, after: Scrape, route: string, statusClass: string): Buckets {
  const key = `${route}|${statusClass}`;
  const end = after.buckets.get(key);
  if (!end) return { bounds: [], cumulative: [] };
  const start = before.buckets.get(key);
  return {
    bounds: end.bounds,
    cumulative: end.cumulative.map((count, i) => count - (start?.cumulative[i] ?? 0)),
  };
}

/** Adds bucket counts of the same bounds (runs of one target spread over repetitions). */
export function addBuckets(a: Buckets, b: Buckets): Buckets {
  if (a.bounds.length === 0) return b;
  if (b.bounds.length === 0) return a;
  return { bounds: a.bounds, cumulative: a.cumulative.map((count, i) => count + (b.cumulative[i] ?? 0)) };
}

/** A quantile read from buckets: the bucket it falls in, and PromQL `histogram_quantile`'s linear estimate. */
export interface BucketQuantile {
  count: number;
  estimateMs: number;
  /** The bucket holding the quantile, ms; `upperMs` is `Infinity` past the last bound. */
  lowerMs: number;
  upperMs: number;
}

/**
 * The `q` quantile of bucket counts the way Prometheus' `histogram_quantile`
 * computes it: linear inside the bucket that holds it; past the last finite
 * bound the estimate is that bound (a lower limit).
 *
 * @example
 * bucketQuantile({ bounds: [0.01, 0.1, Infinity], cumulative: [90, 100, 100] }, 0.99).estimateMs // ≈ 91
 */
export function bucketQuantile(buckets: Buckets, q: number): BucketQuantile | undefined {
  const count = buckets.cumulative.at(-1) ?? 0;
  if (count === 0) return undefined;
  const rank = q * count;
  const i = buckets.cumulative.findIndex((cumulative) => cumulative >= rank);
  const upper = buckets.bounds[i] as number;
  const lower = i === 0 ? 0 : (buckets.bounds[i - 1] as number);
  if (upper === Number.POSITIVE_INFINITY) {
    return { count, estimateMs: lower * 1000, lowerMs: lower * 1000, upperMs: upper };
  }
  const below = i === 0 ? 0 : (buckets.cumulative[i - 1] as number);
  const inBucket = (buckets.cumulative[i] as number) - below;
  const estimate = lower + ((upper - lower) * (rank - below)) / inBucket;
  return { count, estimateMs: estimate * 1000, lowerMs: lower * 1000, upperMs: upper * 1000 };
}
