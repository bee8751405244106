import { describe, expect, it } from 'vitest';
import { evaluateThresholds, parseThreshold, type TargetReport } from '../../src/index.js';
import { buildReport } from '../helpers/report-builder.js';

describe('evaluateThresholds', () => {
  it('checks a saved report’s targets as they are, counting every kind of error', () => {
    const target = buildReport([20, 20], { name: 'agents' }).targets[0] as TargetReport;
    const failing = { ...target, errors: { status: 1, network: 1, timeout: 2 } };
    const thresholds = ['agents:p99<1000', 'agents:errors<1', 'agents:error_rate<0.01'].map(parseThreshold);
    expect(evaluateThresholds(thresholds, [target]).map((r) => r.passed)).toEqual([true, true, true]);
    expect(evaluateThresholds(thresholds, [failing]).map((r) => [r.passed, r.actual])).toEqual([
      [true, target.latency.p99],
      [false, 4],
      [false, 4 / 204],
    ]);
  });
});
