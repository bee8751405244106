export type { Clock, Duration, NowClock } from '@perfkit/primitives';
export type { AlertMetric, AlertRule } from './alerts/alert-rule.js';
export { ALERT_RULE_DEFAULTS } from './alerts/alert-rule.js';
export type { AlertEvent, AlertSink } from './alerts/alert-sink.js';
export { createCallbackSink } from './alerts/callback-sink.js';
export { createLogSink } from './alerts/log-sink.js';
export type { WebhookSinkOptions } from './alerts/webhook-sink.js';
export { createWebhookSink } from './alerts/webhook-sink.js';
export {
  ExplainFailedError,
  InvalidMonitorOptionsError,
  MonitorError,
  type MonitorErrorCode,
  WebhookDeliveryError,
} from './errors.js';
export { type LatencySummary, latencyBucket } from './histogram/latency-histogram.js';
export { OTHER_METHOD } from './http/http-method.js';
export { OVERFLOW_ROUTE, UNMATCHED_ROUTE } from './http/route-series.js';
export type { HttpHandler, Middleware, MonitorEvents } from './monitor.js';
export { createMonitor, Monitor } from './monitor.js';
export type { AlertOptions, MonitorOptions, SlowQueryOptions } from './options.js';
export { MONITOR_DEFAULTS } from './options.js';
export type { ExplainClient, ExplainPool } from './queries/explain-runner.js';
export type { KyselyLogEvent } from './queries/kysely-log.js';
export type { InstrumentablePool, QueryClient } from './queries/pool-instrumentation.js';
export type { QueryShapeStats, SlowQuery } from './queries/query-recorder.js';
export { OVERFLOW_SHAPE } from './queries/query-recorder.js';
export type { MonitorSnapshot, RouteStats } from './snapshot.js';
export { SNAPSHOT_QUERY_LIMIT } from './snapshot.js';
export type { RequestTimer } from './timing/request-timings.js';
export { UNTIMED } from './timing/request-timings.js';
export type { CacheEventSource, CacheEvents, CacheNamespaceStats } from './watchers/cache-watcher.js';
export type {
  ElevenLabsEventSource,
  ElevenLabsEvents,
  ExternalEndpointStats,
} from './watchers/elevenlabs-watcher.js';
