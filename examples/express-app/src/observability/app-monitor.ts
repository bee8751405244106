import {
  type AlertRule,
  type AlertSink,
  createLogSink,
  createMonitor,
  createWebhookSink,
  type Monitor,
} from '@perfkit/monitor';
import type { Logger } from 'pino';
import type { AppConfig } from '../config.js';

/**
 * Alert rules at the seed's limits: dashboards p99 above 2 s, agents above
 * 1 s, and more than 5 % of any route's answers 5xx, over the monitor's
 * sliding window.
 */
export const SEED_LIMIT_ALERTS: readonly AlertRule[] = [
  { name: 'overview-p99', route: '/api/dashboard/overview', metric: 'p99', above: 2_000 },
  { name: 'analytics-p99', route: '/api/dashboard/analytics', metric: 'p99', above: 2_000 },
  { name: 'agents-p99', route: '/api/agents', metric: 'p99', above: 1_000 },
  { name: 'agent-p99', route: '/api/agents/:id', metric: 'p99', above: 1_000 },
  { name: 'error-rate', route: '*', metric: 'error_rate', above: 0.05 },
];

/**
 * Duration buckets (s) for this platform rather than OpenTelemetry's 5 ms – 10 s: fine around the warm
 * answers (a few ms to 20 ms), the cold ones (100–500 ms) and the alert limits (1 s, 2 s), and up to a
 * minute, because a naive dashboard under load takes 10–40 s and above the last bound a histogram only
 * says "more". Dense from 100 to 500 ms and from 2.5 to 60 s, where the cold and the naive answers
 * fall: a percentile read from a 100–250 ms or a 30–60 s bucket was off by up to half (bench/app
 * NOTES, runs 5 and 6).
 */
const LATENCY_BUCKETS = [
  0.001, 0.0025, 0.005, 0.0075, 0.01, 0.015, 0.02, 0.03, 0.05, 0.075, 0.1, 0.125, 0.15, 0.175, 0.2, 0.25, 0.3,
  0.35, 0.4, 0.5, 0.75, 1, 1.5, 2, 2.5, 3, 4, 5, 7.5, 10, 15, 20, 25, 30, 40, 50, 60,
];

/**
 * The monitor both modes are measured by: request timing by route with
 * `Server-Timing` sections, the access log, slow queries with their plans,
 * Prometheus metrics, and the seed-limit alerts over `MONITOR_WINDOW_MS` to
 * the log (and to `ALERT_WEBHOOK_URL` when set).
 *
 * @example
 * const monitor = createAppMonitor(config, logger);
 * app.use(monitor.middleware());
 */
export function createAppMonitor(
  config: Pick<AppConfig, 'alertWebhookUrl' | 'monitorWindowMs'>,
  logger: Logger,
  options: { alertIntervalMs?: number } = {},
): Monitor {
  const sinks: AlertSink[] = [createLogSink(logger)];
  if (config.alertWebhookUrl) sinks.push(createWebhookSink({ url: config.alertWebhookUrl }));
  return createMonitor({
    serverTiming: true,
    buckets: LATENCY_BUCKETS,
    window: config.monitorWindowMs,
    logger,
    slowQueries: { threshold: '200ms' },
    alerts: {
      rules: [...SEED_LIMIT_ALERTS],
      sinks,
      ...(options.alertIntervalMs === undefined ? {} : { interval: options.alertIntervalMs }),
    },
  });
}
