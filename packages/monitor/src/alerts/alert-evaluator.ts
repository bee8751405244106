import { within } from '@perfkit/primitives';
import type { Logger } from 'pino';
import type { RouteSeries } from '../http/route-series.js';
import { type WindowStats, WindowStatsReader } from '../http/window-stats.js';
import { ALERT_RULE_DEFAULTS, type AlertRule } from './alert-rule.js';
import type { AlertEvent, AlertSink } from './alert-sink.js';

function measure(rule: AlertRule, stats: WindowStats): number {
  return rule.metric === 'error_rate' ? stats.errorRate : stats.latency[rule.metric];
}

function groupByRoute(series: readonly RouteSeries[], rule: AlertRule): Map<string, RouteSeries[]> {
  const groups = new Map<string, RouteSeries[]>();
  if (rule.route !== '*') groups.set(rule.route, []);
  for (const one of series) {
    if (rule.route !== '*' && one.route !== rule.route) continue;
    if (rule.method !== undefined && one.method !== rule.method) continue;
    const group = groups.get(one.route);
    if (group === undefined) groups.set(one.route, [one]);
    else group.push(one);
  }
  return groups;
}

/**
 * Evaluates alert rules against the route windows and remembers which rule ×
 * route pairs are firing, so that each crossing yields exactly one event.
 */
export class AlertEvaluator {
  private readonly firing = new Map<string, AlertEvent>();
  private readonly reader = new WindowStatsReader();
  private readonly delivering = new Set<Promise<void>>();

  constructor(
    private readonly rules: readonly AlertRule[],
    private readonly sinks: readonly AlertSink[],
    private readonly logger: Logger,
    private readonly windowMs: number,
  ) {}

  /** Evaluates every rule, delivers the state changes to every sink, and returns them. */
  async evaluate(series: readonly RouteSeries[], now: number): Promise<AlertEvent[]> {
    const events: AlertEvent[] = [];
    for (const rule of this.rules) {
      for (const [route, group] of groupByRoute(series, rule)) {
        const event = this.transition(rule, route, this.reader.read(group, now));
        if (event !== undefined) events.push(event);
      }
    }
    await Promise.all(events.map((event) => this.deliver(event)));
    return events;
  }

  /** The alerts firing now. */
  active(): AlertEvent[] {
    return [...this.firing.values()];
  }

  /**
   * Resolves once every delivery in flight has ended, a webhook's retries included, or after `maxWaitMs`:
   * a sink that never settles must not hold its caller forever.
   */
  async settled(maxWaitMs: number): Promise<void> {
    if (this.delivering.size > 0) await within(Promise.all(this.delivering), maxWaitMs, undefined);
  }

  private transition(rule: AlertRule, route: string, stats: WindowStats): AlertEvent | undefined {
    if (stats.latency.count < (rule.minRequests ?? ALERT_RULE_DEFAULTS.minRequests)) return undefined;
    const key = `${rule.name}\u0000${route}`;
    const value = measure(rule, stats);
    const isFiring = this.firing.has(key);
    const resolveBelow = rule.resolveBelow ?? rule.above * ALERT_RULE_DEFAULTS.resolveRatio;
    if (!isFiring && value > rule.above) {
      const event = this.event('firing', rule, route, value, rule.above, stats);
      this.firing.set(key, event);
      return event;
    }
    if (isFiring && value < resolveBelow) {
      this.firing.delete(key);
      return this.event('resolved', rule, route, value, resolveBelow, stats);
    }
    return undefined;
  }

  private event(
    state: AlertEvent['state'],
    rule: AlertRule,
    route: string,
    value: number,
    threshold: number,
    stats: WindowStats,
  ): AlertEvent {
    return {
      state,
      rule: rule.name,
      route,
      method: rule.method ?? '*',
      metric: rule.metric,
      value,
      threshold,
      requests: stats.latency.count,
      windowMs: this.windowMs,
      at: new Date().toISOString(),
    };
  }

  private async deliver(event: AlertEvent): Promise<void> {
    const delivery = Promise.all(this.sinks.map((sink) => this.deliverTo(sink, event))).then(() => undefined);
    this.delivering.add(delivery);
    try {
      await delivery;
    } finally {
      this.delivering.delete(delivery);
    }
  }

  // Awaited inside try, so a sink that throws synchronously is caught like one that rejects.
  private async deliverTo(sink: AlertSink, event: AlertEvent): Promise<void> {
    try {
      await sink.send(event);
    } catch (error) {
      this.logger.error({ err: error, sink: sink.name, alert: event }, 'alert sink failed');
    }
  }
}
