import type { AlertMetric } from './alert-rule.js';

/**
 * A state change of one alert rule on one route.
 *
 * @example
 * ```ts
 * const onAlert = (event: AlertEvent) => console.log(event.state, event.rule, event.route, event.value);
 * ```
 */
export interface AlertEvent {
  state: 'firing' | 'resolved';
  rule: string;
  route: string;
  /** The rule's method, or `'*'` for all methods. */
  method: string;
  metric: AlertMetric;
  /** The measured value: ms for percentiles, a ratio for `error_rate`. */
  value: number;
  /** The threshold crossed: `above` when firing, `resolveBelow` when resolved. */
  threshold: number;
  /** Requests in the window. */
  requests: number;
  windowMs: number;
  /** Wall-clock time of the evaluation, ISO 8601. */
  at: string;
}

/**
 * Where alert events go. `send` resolves once delivered and rejects when it
 * gives up; the monitor logs rejections and never lets a sink break it.
 *
 * @example
 * ```ts
 * const consoleSink: AlertSink = { name: 'console', send: async (event) => console.log(event) };
 * ```
 */
export interface AlertSink {
  readonly name: string;
  send(event: AlertEvent): Promise<void>;
}
