import { describe, expect, it } from 'vitest';
import { evaluateThresholds, parseThreshold, type TargetReport } from '../../src/index.js';
import { judgeTargets } from '../../src/loadtest/report-build.js';
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

  it('fails a latency bound over a target none of whose requests was answered, not holding it vacuously', () => {
    const target = buildReport([20, 20], { name: 'agents' }).targets[0] as TargetReport;
    const unanswered = { ...target, requests: 0, errors: { status: 40, network: 0, timeout: 0 } };
    const [result] = evaluateThresholds([parseThreshold('agents:p99<2000')], [unanswered]);
    expect(result?.passed).toBe(false);
  });
});

describe('judgeTargets', () => {
  const target = buildReport([20, 20], { name: 'agents' }).targets[0] as TargetReport;
  const failing = { ...target, errors: { status: 3, network: 0, timeout: 1 } };

  it('fails a target that failed requests by the default errors<1 when no threshold judges its errors', () => {
    const judged = judgeTargets([failing], [parseThreshold('agents:p99<2000')]);
    expect(judged.verdict).toBe('fail');
    expect(judged.thresholds.map((t) => [t.source, t.actual, t.passed])).toEqual([
      ['agents:p99<2000', target.latency.p99, true],
      ['agents:errors<1 (default)', 4, false],
    ]);
  });

  it('lets an errors or error_rate threshold of the user judge the failures instead', () => {
    expect(judgeTargets([failing], [parseThreshold('error_rate<0.05')]).verdict).toBe('pass');
    expect(judgeTargets([failing], [parseThreshold('agents:errors<=3')]).verdict).toBe('fail');
    expect(judgeTargets([target], []).thresholds).toEqual([]);
  });
});
