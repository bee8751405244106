import type { AlertEvent } from './alerts/alert-sink.js';
import type { LatencySummary } from './histogram/latency-histogram.js';
import type { RouteSeries } from './http/route-series.js';
import type { WindowStatsReader } from './http/window-stats.js';
import type { QueryShapeStats } from './queries/query-recorder.js';
import type { CacheNamespaceStats } from './watchers/cache-watcher.js';
import type { ExternalEndpointStats } from './watchers/elevenlabs-watcher.js';

/**
 * One route × method: totals since start-up, and latency and errors over the window.
 *
 * @example
 * ```ts
 * const overview = monitor.snapshot().routes.find((r) => r.route === '/api/dashboard/overview');
 * ```
 */
export interface RouteStats {
  route: string;
  method: string;
  requests: number;
  /** 5xx responses since start-up. */
  errors: number;
  window: LatencySummary & { errors: number; errorRate: number };
}

/**
 * Everything the monitor knows, as JSON: for a debug route behind auth, and for the CLI.
 *
 * @example
 * ```ts
 * app.get('/debug/perf', requireAdmin, (_req, res) => res.json(monitor.snapshot()));
 * ```
 */
export interface MonitorSnapshot {
  generatedAt: string;
  windowMs: number;
  /** Slowest p99 first. */
  routes: RouteStats[];
  /** Slowest max first, at most {@link SNAPSHOT_QUERY_LIMIT}. */
  queries: QueryShapeStats[];
  external: ExternalEndpointStats[];
  cache: CacheNamespaceStats[];
  /** Alerts firing now. */
  alerts: AlertEvent[];
}

/**
 * How many query shapes a snapshot lists.
 *
 * @example
 * ```ts
 * monitor.snapshot().queries.length <= SNAPSHOT_QUERY_LIMIT; // true
 * ```
 */
export const SNAPSHOT_QUERY_LIMIT = 20;

/** The snapshot row of one series. */
export function routeStats(series: RouteSeries, reader: WindowStatsReader, now: number): RouteStats {
  const stats = reader.read([series], now);
  let requests = 0;
  for (const buckets of series.byStatusClass) requests += buckets?.count ?? 0;
  return {
    route: series.route,
    method: series.method,
    requests,
    errors: series.byStatusClass[5]?.count ?? 0,
    window: { ...stats.latency, errors: stats.errors, errorRate: stats.errorRate },
  };
}
