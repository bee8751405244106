import { InvalidMonitorOptionsError } from '../errors.js';

/**
 * What an alert rule watches over the sliding window: a latency percentile
 * (milliseconds) or the share of 5xx responses (0..1).
 *
 * @example
 * ```ts
 * const metric: AlertMetric = 'p99';
 * ```
 */
export type AlertMetric = 'p95' | 'p99' | 'error_rate';

/**
 * An alert rule. It fires when `metric` over the monitor's window rises above
 * `above`, and resolves only when it falls below `resolveBelow` — the gap is
 * the hysteresis that stops a value hovering at the threshold from flapping.
 * A rule changes state only when the window holds at least `minRequests`.
 *
 * @example
 * ```ts
 * const rules: AlertRule[] = [
 *   { name: 'overview-slow', route: '/api/dashboard/overview', metric: 'p95', above: 2000 },
 *   { name: 'errors', route: '*', metric: 'error_rate', above: 0.05, resolveBelow: 0.01 },
 * ];
 * ```
 */
export interface AlertRule {
  /** Unique name, carried by every event of the rule. */
  name: string;
  /** A route template as the middleware records it (`/api/agents/:id`), or `'*'` for each route separately. */
  route: string;
  /** Only this method; default all methods of the route together. */
  method?: string;
  metric: AlertMetric;
  /** Fire above this: milliseconds for `p95` / `p99`, a ratio for `error_rate`. */
  above: number;
  /** Resolve below this. Default `0.8 × above`. */
  resolveBelow?: number;
  /** Requests the window must hold for the rule to change state. Default `10`. */
  minRequests?: number;
}

/**
 * Defaults of the optional {@link AlertRule} fields: `resolveBelow` is `resolveRatio × above`.
 *
 * @example
 * ```ts
 * ALERT_RULE_DEFAULTS.minRequests; // 10
 * ```
 */
export const ALERT_RULE_DEFAULTS = { resolveRatio: 0.8, minRequests: 10 } as const;

/** Throws {@link InvalidMonitorOptionsError} naming the rule's field (`alerts.rules[2].above`) when it cannot work. */
export function validateAlertRule(rule: AlertRule, index: number): void {
  const named = rule.name ? ` (rule "${rule.name}")` : '';
  const fail = (field: keyof AlertRule, problem: string) => {
    throw new InvalidMonitorOptionsError(`alerts.rules[${index}].${field}`, `${problem}${named}`);
  };
  if (!rule.name) fail('name', 'must be a non-empty string');
  if (!rule.route) fail('route', "must be a route template or '*'");
  if (!['p95', 'p99', 'error_rate'].includes(rule.metric)) {
    fail('metric', `must be p95, p99 or error_rate, got ${JSON.stringify(rule.metric)}`);
  }
  if (!(rule.above > 0)) fail('above', `must be a positive number, got ${rule.above}`);
  if (rule.metric === 'error_rate' && rule.above > 1) {
    fail('above', `must be a ratio (at most 1) for error_rate, got ${rule.above}`);
  }
  if (rule.resolveBelow !== undefined && !(rule.resolveBelow >= 0 && rule.resolveBelow <= rule.above)) {
    fail('resolveBelow', `must be between 0 and above (${rule.above}), got ${rule.resolveBelow}`);
  }
  if (rule.minRequests !== undefined && !(Number.isInteger(rule.minRequests) && rule.minRequests >= 1)) {
    fail('minRequests', `must be an integer >= 1, got ${rule.minRequests}`);
  }
}
