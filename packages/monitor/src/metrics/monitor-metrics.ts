import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { SeriesTable } from '../http/route-series.js';
import type { ResolvedMonitorOptions } from '../options.js';
import type { InstrumentablePool } from '../queries/pool-instrumentation.js';
import type { CacheLookupCounts } from '../watchers/cache-watcher.js';
import { HttpServerMetric } from './http-server-metric.js';

/**
 * Every Prometheus metric of one monitor, on the monitor's own registry, so
 * that creating a second monitor (tests, hot reload) never collides with the
 * first or with prom-client's global registry.
 */
export function createMonitorMetrics(
  options: ResolvedMonitorOptions,
  table: SeriesTable,
  pools: ReadonlyMap<string, InstrumentablePool>,
  cacheLookups: CacheLookupCounts,
) {
  const registry = new Registry();
  const registers = [registry];
  const buckets = [...options.buckets];
  if (options.processMetrics) collectDefaultMetrics({ register: registry });
  return {
    registry,
    httpServer: new HttpServerMetric(registry, table),
    dbOperation: new Histogram({
      name: 'db_client_operation_duration_seconds',
      help: 'Duration of database queries by operation and outcome.',
      labelNames: ['db_system_name', 'db_operation_name', 'outcome'] as const,
      buckets,
      registers,
    }),
    poolConnections: new Gauge({
      name: 'db_client_connection_count',
      help: 'Connections of each instrumented pool by state (idle, used).',
      labelNames: ['db_client_connection_pool_name', 'db_client_connection_state'] as const,
      registers,
      collect() {
        for (const [name, pool] of pools) {
          this.set(
            { db_client_connection_pool_name: name, db_client_connection_state: 'idle' },
            pool.idleCount,
          );
          this.set(
            { db_client_connection_pool_name: name, db_client_connection_state: 'used' },
            pool.totalCount - pool.idleCount,
          );
        }
      },
    }),
    poolPending: new Gauge({
      name: 'db_client_connection_pending_requests',
      help: 'Requests waiting for a connection of each instrumented pool.',
      labelNames: ['db_client_connection_pool_name'] as const,
      registers,
      collect() {
        for (const [name, pool] of pools)
          this.set({ db_client_connection_pool_name: name }, pool.waitingCount);
      },
    }),
    httpClient: new Histogram({
      name: 'http_client_request_duration_seconds',
      help: 'Duration of each third-party HTTP attempt by endpoint template, status and outcome (success, retry, failure).',
      labelNames: [
        'server_address',
        'http_request_method',
        'url_template',
        'http_response_status_code',
        'error_type',
        'outcome',
      ] as const,
      buckets,
      registers,
    }),
    externalFailures: new Counter({
      name: 'http_client_operation_failures_total',
      help: 'Third-party operations that failed after all retries, by operation and error code.',
      labelNames: ['server_address', 'operation', 'error_type'] as const,
      registers,
    }),
    externalBreaker: new Gauge({
      name: 'http_client_circuit_breaker_state',
      help: 'Circuit breaker state of each third party: 1 for the current state, 0 for the others.',
      labelNames: ['server_address', 'state'] as const,
      registers,
    }),
    externalConcurrency: new Gauge({
      name: 'http_client_concurrency_limit',
      help: 'Current concurrency limit of each third-party client.',
      labelNames: ['server_address'] as const,
      registers,
    }),
    cacheLookups: new Counter({
      name: 'cache_lookups_total',
      help: 'Cache lookups by namespace and result (hit, miss, stale); layer for hits, reason for stale.',
      labelNames: ['cache_namespace', 'result', 'layer', 'reason'] as const,
      registers,
      collect() {
        this.reset();
        for (const [labels, count] of cacheLookups.series()) this.inc(labels, count);
      },
    }),
    cacheRefresh: new Histogram({
      name: 'cache_refresh_duration_seconds',
      help: 'Duration of background cache refreshes by namespace.',
      labelNames: ['cache_namespace'] as const,
      buckets,
      registers,
    }),
    cacheErrors: new Counter({
      name: 'cache_errors_total',
      help: 'Cache refresh and L2 errors by namespace and operation.',
      labelNames: ['cache_namespace', 'operation'] as const,
      registers,
    }),
    cacheEvictions: new Counter({
      name: 'cache_evictions_total',
      help: 'Cache evictions by namespace and reason.',
      labelNames: ['cache_namespace', 'reason'] as const,
      registers,
    }),
    cacheBus: new Counter({
      name: 'cache_bus_events_total',
      help: 'Invalidation bus state changes by namespace (connected, disconnected, gap, flushed).',
      labelNames: ['cache_namespace', 'state'] as const,
      registers,
    }),
  };
}

/** The metrics of one monitor. */
export type MonitorMetrics = ReturnType<typeof createMonitorMetrics>;
