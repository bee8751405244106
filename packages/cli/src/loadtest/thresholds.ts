import { PerfCliError } from '../errors.js';
import type { TargetReport, Threshold, ThresholdResult } from './report-schema.js';
import { totalErrors } from './run-result.js';

/** Metrics a threshold can name: latency percentiles in ms, `rps`, `errors` (count) and `error_rate` (0..1). */
export const THRESHOLD_METRICS = [
  'mean',
  'p50',
  'p90',
  'p99',
  'p999',
  'max',
  'rps',
  'errors',
  'error_rate',
] as const;
export type ThresholdMetric = (typeof THRESHOLD_METRICS)[number];

const isLatency = (metric: ThresholdMetric) =>
  metric !== 'rps' && metric !== 'errors' && metric !== 'error_rate';

/** Whether `threshold` judges `target`'s failed requests (an `errors` or `error_rate` bound naming it or every target). */
export function judgesErrors(threshold: Threshold, target: string): boolean {
  return (
    (threshold.metric === 'errors' || threshold.metric === 'error_rate') &&
    (threshold.target === '*' || threshold.target === target)
  );
}

/**
 * Parses `[target:]metric<op>value`, e.g. `overview:p99<2000`, `p50<=20`, `agents:error_rate<0.01`.
 *
 * @example
 * parseThreshold('overview:p99<2000') // { target: 'overview', metric: 'p99', op: '<', value: 2000, … }
 */
export function parseThreshold(source: string): Threshold {
  const match = /^\s*(?:([^:<>=\s]+):)?([a-z_0-9]+)\s*(<=|>=|<|>)\s*(\d+(?:\.\d+)?)\s*$/.exec(source);
  const metric = match?.[2];
  if (!match || !metric || !(THRESHOLD_METRICS as readonly string[]).includes(metric)) {
    throw new PerfCliError(
      'PERFKIT_CLI_INVALID_THRESHOLD',
      `threshold "${source}" must look like [target:]metric<value with metric one of ${THRESHOLD_METRICS.join(', ')} (e.g. overview:p99<2000)`,
    );
  }
  return {
    source,
    target: match[1] ?? '*',
    metric: metric as ThresholdMetric,
    op: match[3] as Threshold['op'],
    value: Number(match[4]),
  };
}

/**
 * Refuses a threshold that names a target not among `names`: checked on the
 * options before any load is sent, and on each report it is evaluated on.
 *
 * @example
 * checkThresholdTargets([parseThreshold('nope:p99<3')], ['x']) // throws 'threshold "nope:p99<3" names target "nope", which is not among x'
 */
export function checkThresholdTargets(thresholds: readonly Threshold[], names: readonly string[]): void {
  const unknown = thresholds.find((t) => !names.some((name) => t.target === '*' || name === t.target));
  if (unknown) {
    throw new PerfCliError(
      'PERFKIT_CLI_INVALID_THRESHOLD',
      `threshold "${unknown.source}" names target "${unknown.target}", which is not among ${names.join(', ')}`,
    );
  }
}

/** What thresholds are checked against: a report's target (`report.targets[i]`), or these figures of one. */
export type ThresholdInput = Pick<TargetReport, 'name' | 'latency' | 'rps' | 'requests' | 'errors'>;

/**
 * Checks thresholds against per-target figures (all repetitions merged), such as a saved report's targets.
 *
 * @example
 * const failed = evaluateThresholds([parseThreshold('agents:p99<1000')], report.targets).filter((r) => !r.passed);
 */
export function evaluateThresholds(
  thresholds: readonly Threshold[],
  targets: readonly ThresholdInput[],
): ThresholdResult[] {
  checkThresholdTargets(
    thresholds,
    targets.map((t) => t.name),
  );
  const results: ThresholdResult[] = [];
  for (const threshold of thresholds) {
    for (const t of targets.filter((t) => threshold.target === '*' || t.name === threshold.target)) {
      const errors = totalErrors(t.errors);
      const actual =
        threshold.metric === 'rps'
          ? t.rps
          : threshold.metric === 'errors'
            ? errors
            : threshold.metric === 'error_rate'
              ? errors / Math.max(1, t.requests + errors)
              : t.latency[threshold.metric];
      // A latency bound over no answered request would hold vacuously: nothing answered within it.
      const unmeasured = isLatency(threshold.metric) && t.requests === 0;
      const passed =
        !unmeasured &&
        (threshold.op === '<'
          ? actual < threshold.value
          : threshold.op === '<='
            ? actual <= threshold.value
            : threshold.op === '>'
              ? actual > threshold.value
              : actual >= threshold.value);
      results.push({ ...threshold, checkedTarget: t.name, actual, passed });
    }
  }
  return results;
}
