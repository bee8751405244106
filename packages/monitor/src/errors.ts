import { InvalidOptionError, PerfkitError } from '@perfkit/primitives';

/**
 * Stable error codes of `@perfkit/monitor`; match on `error.code`, never on messages.
 *
 * @example
 * ```ts
 * if (query.explainError?.code === 'PERFKIT_MONITOR_EXPLAIN_FAILED') log.warn(query.explainError.message);
 * ```
 */
export type MonitorErrorCode =
  | 'PERFKIT_MONITOR_INVALID_OPTION'
  | 'PERFKIT_MONITOR_WEBHOOK_DELIVERY_FAILED'
  | 'PERFKIT_MONITOR_EXPLAIN_FAILED';

/**
 * Base class of every error `@perfkit/monitor` throws or reports, except an
 * invalid option, which is the `InvalidOptionError` of every perfkit package
 * ({@link InvalidMonitorOptionsError}).
 *
 * @example
 * ```ts
 * await sink.send(event).catch((error) => { if (error instanceof MonitorError) console.error(error.code); });
 * ```
 */
export class MonitorError extends PerfkitError<Exclude<MonitorErrorCode, 'PERFKIT_MONITOR_INVALID_OPTION'>> {}

/**
 * An option or alert rule is invalid; thrown up front by `createMonitor`.
 *
 * @example
 * ```ts
 * createMonitor({ maxSeries: 0 }); // throws InvalidMonitorOptionsError (PERFKIT_MONITOR_INVALID_OPTION)
 * ```
 */
export class InvalidMonitorOptionsError extends InvalidOptionError<'PERFKIT_MONITOR_INVALID_OPTION'> {
  constructor(option: string, problem: string) {
    super(option, problem, 'PERFKIT_MONITOR_INVALID_OPTION', { scope: 'monitor' });
  }
}

/**
 * A webhook alert sink gave up after its retries; `cause` is the last failure.
 *
 * @example
 * ```ts
 * await sink.send(event).catch((e: WebhookDeliveryError) => e.attempts);
 * ```
 */
export class WebhookDeliveryError extends MonitorError {
  /** The webhook's origin with its path masked (`https://hooks.slack.com/***`). */
  readonly url: string;
  readonly attempts: number;

  constructor(url: string, attempts: number, cause: unknown) {
    super('PERFKIT_MONITOR_WEBHOOK_DELIVERY_FAILED', `webhook ${url} failed after ${attempts} attempts`, {
      cause,
    });
    this.url = url;
    this.attempts = attempts;
  }
}

/**
 * `EXPLAIN` of a slow query failed or timed out; reported on the slow-query
 * log entry, never thrown to the caller of the query.
 *
 * @example
 * ```ts
 * monitor.on('slow-query', (q) => q.explainError?.code); // 'PERFKIT_MONITOR_EXPLAIN_FAILED'
 * ```
 */
export class ExplainFailedError extends MonitorError {
  constructor(cause: unknown) {
    super('PERFKIT_MONITOR_EXPLAIN_FAILED', `EXPLAIN failed: ${(cause as Error)?.message ?? String(cause)}`, {
      cause,
    });
  }
}
