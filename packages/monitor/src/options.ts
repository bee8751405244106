import {
  checkNumber,
  type Duration,
  type NowClock,
  parseDuration,
  parseTimerDuration,
  preciseClock,
  withDefaults,
} from '@perfkit/primitives';
import type { Logger } from 'pino';
import { pino } from 'pino';
import type { AlertRule } from './alerts/alert-rule.js';
import { validateAlertRule } from './alerts/alert-rule.js';
import type { AlertSink } from './alerts/alert-sink.js';
import { InvalidMonitorOptionsError } from './errors.js';
import type { ExplainPool } from './queries/explain-runner.js';

/**
 * Options of {@link createMonitor}. Every field is optional; the defaults are
 * in {@link MONITOR_DEFAULTS}.
 *
 * @example
 * ```ts
 * const monitor = createMonitor({
 *   serverTiming: true,
 *   slowQueries: { threshold: '250ms' },
 *   alerts: { rules: [{ name: 'agents-p95', route: '/api/agents', metric: 'p95', above: 1000 }], sinks: [createLogSink()] },
 * });
 * ```
 */
export interface MonitorOptions {
  /** Add a `Server-Timing` header with the `timed()` sections of each request. Default `false`. */
  serverTiming?: boolean;
  /** Write one access-log line per request through `logger`. Default `true`. */
  accessLog?: boolean;
  /** The pino logger for the access log, slow queries and sink failures. Default `pino()` (stdout). */
  logger?: Logger;
  /** Request header whose value becomes the access log's `requestId`; a UUID when absent. Default `'x-request-id'`. */
  requestIdHeader?: string;
  /** Sliding window for percentiles, error rates and alerts. Default `'60s'`. */
  window?: Duration;
  /** Slices of the window: it advances by `window / windowSlices`. At most `100`, since each route keeps a histogram per slice. Default `6`. */
  windowSlices?: number;
  /** Cap on route × method series; later ones share the `_overflow` series. Default `200`. */
  maxSeries?: number;
  /** Prometheus bucket bounds in seconds for every duration histogram. Default OpenTelemetry's HTTP buckets, 5 ms to 10 s. */
  buckets?: readonly number[];
  /** Collect process metrics: event-loop delay, heap, GC, CPU. Default `true`. */
  processMetrics?: boolean;
  /** Slow-query logging for `instrumentPool` and `kyselyLog`. */
  slowQueries?: SlowQueryOptions;
  /** Alert rules, their sinks and how often they are evaluated. */
  alerts?: AlertOptions;
  /**
   * Time of every request, section, query, window and alert: a `Clock` (only its `now` is read, since the
   * monitor never waits), so the clock a test gives the other packages fits here too. Default
   * `preciseClock`, epoch ms with microsecond resolution.
   */
  clock?: NowClock;
}

/**
 * Slow-query options of {@link MonitorOptions}.
 *
 * @example
 * ```ts
 * createMonitor({ slowQueries: { threshold: '200ms', explainTimeout: '2s', explainInterval: '1m' } });
 * ```
 */
export interface SlowQueryOptions {
  /** A query at least this slow is logged with its plan. Default `'200ms'`. */
  threshold?: Duration;
  /** Run `EXPLAIN (FORMAT JSON)` for slow queries. Default `true`. */
  explain?: boolean;
  /** `statement_timeout` of each `EXPLAIN`. Default `'2s'`. */
  explainTimeout?: Duration;
  /** At most one `EXPLAIN` per query shape per interval. Default `'60s'`. */
  explainInterval?: Duration;
  /** The pool `EXPLAIN` runs on. Default: for `instrumentPool(pool)`, a one-connection pool with `pool`'s settings; for Kysely, none (no plan). */
  explainPool?: ExplainPool;
  /** Cap on distinct query shapes kept for the snapshot. Default `500`. */
  maxShapes?: number;
}

/**
 * Alerting options of {@link MonitorOptions}.
 *
 * @example
 * ```ts
 * createMonitor({ alerts: { rules, sinks: [createWebhookSink({ url })], interval: '15s' } });
 * ```
 */
export interface AlertOptions {
  /** The rules; see {@link AlertRule}. Default none. */
  rules?: readonly AlertRule[];
  /** Where firing and resolved events go. Default none. */
  sinks?: readonly AlertSink[];
  /** How often rules are evaluated; `0` disables the timer (call `evaluateAlerts()` yourself). Default `'15s'`. */
  interval?: Duration;
  /**
   * Longest `close()` waits for alert deliveries in flight. Default `'30s'`: a default webhook's whole
   * schedule (4 attempts of 5 s, 7 s of back-off) fits, and a sink that never settles cannot hold it forever.
   */
  closeWait?: Duration;
}

/**
 * The defaults of {@link MonitorOptions}, in one place.
 *
 * @example
 * ```ts
 * MONITOR_DEFAULTS.maxSeries; // 200
 * ```
 */
export const MONITOR_DEFAULTS = {
  serverTiming: false,
  accessLog: true,
  requestIdHeader: 'x-request-id',
  window: '60s',
  windowSlices: 6,
  maxSeries: 200,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10],
  processMetrics: true,
  slowQueries: {
    threshold: '200ms',
    explain: true,
    explainTimeout: '2s',
    explainInterval: '60s',
    maxShapes: 500,
  },
  alerts: { interval: '15s', closeWait: '30s' },
} as const satisfies MonitorOptions;

/** {@link MonitorOptions} with defaults applied and durations in ms. */
export interface ResolvedMonitorOptions {
  serverTiming: boolean;
  accessLog: boolean;
  logger: Logger;
  requestIdHeader: string;
  windowMs: number;
  windowSlices: number;
  maxSeries: number;
  buckets: readonly number[];
  processMetrics: boolean;
  slowQueries: {
    thresholdMs: number;
    explain: boolean;
    explainTimeoutMs: number;
    explainIntervalMs: number;
    explainPool: ExplainPool | undefined;
    maxShapes: number;
  };
  alerts: {
    rules: readonly AlertRule[];
    sinks: readonly AlertSink[];
    intervalMs: number;
    closeWaitMs: number;
  };
  clock: NowClock;
}

const POSITIVE_INTEGER = { min: 1, integer: true };
/** Most slices of a window: each route keeps a histogram per slice. */
const MAX_WINDOW_SLICES = 100;

function durationMs(option: string, value: Duration): number {
  return parseDuration(value, option, InvalidMonitorOptionsError);
}

/** A duration that arms a timer, at most what a Node.js timer keeps; `positive` for a time limit. */
function timerMs(option: string, value: Duration, { positive = false } = {}): number {
  return parseTimerDuration(value, option, InvalidMonitorOptionsError, { positive });
}

function ascendingBounds(value: readonly number[]): readonly number[] {
  const ascending =
    Array.isArray(value) &&
    value.every(
      (bound, i) => typeof bound === 'number' && bound > 0 && (i === 0 || bound > (value[i - 1] as number)),
    );
  if (!ascending || value.length === 0) {
    throw new InvalidMonitorOptionsError('buckets', 'must be positive bounds in ascending order');
  }
  return value;
}

/** Applies defaults and validates, throwing {@link InvalidMonitorOptionsError} with the option's name. */
export function resolveMonitorOptions(options: MonitorOptions = {}): ResolvedMonitorOptions {
  const d = MONITOR_DEFAULTS;
  const slow = withDefaults(d.slowQueries, options.slowQueries);
  const rules = options.alerts?.rules ?? [];
  rules.forEach(validateAlertRule);
  const windowMs = durationMs('window', options.window ?? d.window);
  if (windowMs <= 0) throw new InvalidMonitorOptionsError('window', 'must be longer than 0 ms');
  return {
    serverTiming: options.serverTiming ?? d.serverTiming,
    accessLog: options.accessLog ?? d.accessLog,
    logger: options.logger ?? pino(),
    requestIdHeader: (options.requestIdHeader ?? d.requestIdHeader).toLowerCase(),
    windowMs,
    windowSlices: checkNumber(
      options.windowSlices ?? d.windowSlices,
      'windowSlices',
      { ...POSITIVE_INTEGER, max: MAX_WINDOW_SLICES },
      InvalidMonitorOptionsError,
    ),
    maxSeries: checkNumber(
      options.maxSeries ?? d.maxSeries,
      'maxSeries',
      POSITIVE_INTEGER,
      InvalidMonitorOptionsError,
    ),
    buckets: ascendingBounds(options.buckets ?? d.buckets),
    processMetrics: options.processMetrics ?? d.processMetrics,
    slowQueries: {
      thresholdMs: durationMs('slowQueries.threshold', slow.threshold),
      explain: slow.explain,
      explainTimeoutMs: timerMs('slowQueries.explainTimeout', slow.explainTimeout, { positive: true }),
      explainIntervalMs: durationMs('slowQueries.explainInterval', slow.explainInterval),
      explainPool: slow.explainPool,
      maxShapes: checkNumber(
        slow.maxShapes,
        'slowQueries.maxShapes',
        POSITIVE_INTEGER,
        InvalidMonitorOptionsError,
      ),
    },
    alerts: {
      rules,
      sinks: options.alerts?.sinks ?? [],
      intervalMs: timerMs('alerts.interval', options.alerts?.interval ?? d.alerts.interval),
      closeWaitMs: timerMs('alerts.closeWait', options.alerts?.closeWait ?? d.alerts.closeWait),
    },
    clock: options.clock ?? preciseClock,
  };
}
