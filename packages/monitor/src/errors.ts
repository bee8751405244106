/**
 * Base class of every error thrown by `@perfkit/monitor`; `code` is stable and
 * safe to match on.
 *
 * @example
 * ```ts
 * try { createMonitor({ window: 'soon' }); }
 * catch (error) { if (error instanceof MonitorError) console.error(error.code); }
 * ```
 */
export class MonitorError extends Error {
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/**
 * An option or alert rule is invalid; thrown up front by `createMonitor`.
 *
 * @example
 * ```ts
 * createMonitor({ maxSeries: 0 }); // throws InvalidMonitorOptionsError (PERFKIT_MONITOR_INVALID_OPTIONS)
 * ```
 */
export class InvalidMonitorOptionsError extends MonitorError {
  readonly option: string;

  constructor(option: string, message: string) {
    super('PERFKIT_MONITOR_INVALID_OPTIONS', `${option}: ${message}`);
    this.option = option;
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
