import { describe, expect, it } from 'vitest';
import { createMonitor, InvalidMonitorOptionsError, MONITOR_DEFAULTS } from '../src/index.js';
import { resolveMonitorOptions } from '../src/options.js';

describe('monitor options', () => {
  it('applies the documented defaults and converts durations to milliseconds', () => {
    const resolved = resolveMonitorOptions({ window: '2m', slowQueries: { threshold: '250ms' } });
    expect(resolved).toMatchObject({
      serverTiming: false,
      accessLog: true,
      windowMs: 120_000,
      windowSlices: 6,
      maxSeries: MONITOR_DEFAULTS.maxSeries,
      slowQueries: { thresholdMs: 250, explainTimeoutMs: 2000, explainIntervalMs: 60_000, explain: true },
      alerts: { intervalMs: 15_000, rules: [], sinks: [] },
    });
  });

  it('reads durations with the grammar every perfkit package shares: bare ms, days, white space', () => {
    const resolved = resolveMonitorOptions({ window: '1 d', slowQueries: { threshold: '250' } });
    expect(resolved).toMatchObject({ windowMs: 86_400_000, slowQueries: { thresholdMs: 250 } });
  });

  it.each([
    [{ window: 'soon' }, 'window'],
    [{ maxSeries: 0 }, 'maxSeries'],
    [{ buckets: [1, 0.5] }, 'buckets'],
    [{ buckets: 'x' }, 'buckets'],
    [{ buckets: [0.1, '1'] }, 'buckets'],
    // Each route keeps a histogram per slice: a million slices is a million histograms a route.
    [{ windowSlices: 1e6 }, 'windowSlices'],
    // Past 2^31 − 1 ms a Node.js timer fires after 1 ms: the rules would be evaluated every millisecond.
    [{ alerts: { interval: '30d' } }, 'alerts.interval'],
    [{ slowQueries: { explainTimeout: '30d' } }, 'slowQueries.explainTimeout'],
    [{ slowQueries: { explainTimeout: 0 } }, 'slowQueries.explainTimeout'],
    [{ slowQueries: { threshold: -1 } }, 'slowQueries.threshold'],
    [{ alerts: { rules: [{ name: 'r', route: '/x', metric: 'p95', above: 0 }] } }, 'alerts.rules[0].above'],
    [
      { alerts: { rules: [{ name: 'e', route: '*', metric: 'error_rate', above: 5 }] } },
      'alerts.rules[0].above',
    ],
    [
      { alerts: { rules: [{ name: 'h', route: '*', metric: 'p99', above: 100, resolveBelow: 200 }] } },
      'alerts.rules[0].resolveBelow',
    ],
  ] as const)('rejects %j up front, naming %s', (options, option) => {
    expect(() => createMonitor(options as never)).toThrow(InvalidMonitorOptionsError);
    expect(() => createMonitor(options as never)).toThrow(
      expect.objectContaining({ code: 'PERFKIT_MONITOR_INVALID_OPTION', option }),
    );
    // One grammar in every package: the scope, the option, then what it must be.
    expect(() => createMonitor(options as never)).toThrow(`monitor: ${option} must `);
  });
});
