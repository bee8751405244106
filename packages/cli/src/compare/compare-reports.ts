import { ConfigMismatchError, InvalidOptionError } from '../errors.js';
import type {
  LoadtestConfig,
  LoadtestReport,
  RepetitionReport,
  TargetReport,
} from '../loadtest/report-schema.js';
import { totalErrors } from '../loadtest/run-result.js';
import { formatShard } from '../loadtest/shard.js';
import { checkNumber } from '../util/option-checks.js';
import { median, minimumPValue, rankSumPValue, relativeShift } from './rank-test.js';
import {
  type CompareResult,
  type GateMetric,
  gateMetricSchema,
  type MetricComparison,
  type TargetComparison,
} from './result-schema.js';

/** Every metric the gate can test. */
export const GATE_METRICS: readonly GateMetric[] = gateMetricSchema.options;

/** Options of {@link compareReports}. Defaults are in {@link COMPARE_DEFAULTS}. */
export interface CompareOptions {
  /** Family-wise false-alarm rate over every target × metric tested (Holm–Bonferroni). Default: 0.01. */
  alpha?: number;
  /** Metrics tested per target. Default: `['p50', 'p99']`. */
  metrics?: GateMetric[];
  /** The smallest relative change that counts, however significant (a 1 % shift is real but not a regression worth failing CI). Default: 0.05. */
  minEffect?: number;
  /**
   * How far a target's error rate (failed ÷ sent, all repetitions) may rise over the baseline's before
   * it is a regression; failed requests are in no latency figure, so without this a run that failed
   * half its requests could pass. Default: 0.001 (a stray reset in a thousand requests is not one).
   */
  maxErrorIncrease?: number;
}

/** Defaults of {@link CompareOptions}. */
export const COMPARE_DEFAULTS = {
  alpha: 0.01,
  metrics: ['p50', 'p99'] as GateMetric[],
  minEffect: 0.05,
  maxErrorIncrease: 0.001,
};

/** Upper percentiles the gate tests only with enough requests per repetition to estimate them. */
const QUANTILES: Partial<Record<GateMetric, number>> = { p50: 0.5, p90: 0.9, p99: 0.99, p999: 0.999 };

/**
 * The fewest requests per repetition that estimate a percentile: ten
 * beyond it (20 for p50, 100 for p90, 1,000 for p99, 10,000 for p99.9).
 * Below that, one repetition's "p99" is its largest value or two — noise the
 * gate must not read as a regression.
 *
 * @example
 * minimumRequestsFor('p99') // 1000
 */
export function minimumRequestsFor(metric: GateMetric): number {
  const q = QUANTILES[metric];
  if (q === undefined) return 1;
  // 1 - 0.9 is 0.09999999999999998 in floating point, and ceil(10 / it) 101: round the tail first.
  const tail = Math.round((1 - q) * 1e9) / 1e9;
  return Math.ceil(10 / tail);
}

const targetKey = (t: LoadtestConfig['targets'][number]) => {
  const url = new URL(t.url);
  return `${t.method} ${url.pathname}${url.search}`;
};

/**
 * Lists what differs between two configurations in ways that make a
 * comparison meaningless — a shard's report against a whole run's among
 * them. Hosts and ports are ignored (CI servers listen on port 0);
 * repetitions, workers and start times may differ.
 *
 * @example
 * configDifferences(base.config, current.config) // ['rate: 100 vs 200']
 */
export function configDifferences(a: LoadtestConfig, b: LoadtestConfig): string[] {
  const diffs: string[] = [];
  for (const key of [
    'model',
    'rate',
    'connections',
    'durationMs',
    'warmupMs',
    'timeoutMs',
    'latencyCorrection',
  ] as const) {
    if (a[key] !== b[key]) diffs.push(`${key}: ${a[key]} vs ${b[key]}`);
  }
  // A shard's report holds part of the load: only the merged whole compares with a whole run.
  const shard = (c: LoadtestConfig) => (c.shard ? `shard ${formatShard(c.shard)}` : 'whole run');
  if (shard(a) !== shard(b)) diffs.push(`shard: ${shard(a)} vs ${shard(b)}`);
  const names = (c: LoadtestConfig) =>
    c.targets
      .map((t) => t.name)
      .sort()
      .join(', ');
  if (names(a) !== names(b)) diffs.push(`targets: ${names(a)} vs ${names(b)}`);
  for (const t of a.targets) {
    const other = b.targets.find((o) => o.name === t.name);
    if (other && targetKey(t) !== targetKey(other))
      diffs.push(`target ${t.name}: ${targetKey(t)} vs ${targetKey(other)}`);
  }
  return diffs;
}

const valuesOf = (reps: RepetitionReport[], metric: GateMetric) =>
  reps.map((r) => (metric === 'rps' ? r.rps : r.latency[metric]));

/** One side of a target's comparison: its figures over all repetitions merged. */
const sideOf = (t: TargetReport) => ({
  latency: t.latency,
  rps: t.rps,
  errors: totalErrors(t.errors),
  requests: t.requests,
});

/** Failed ÷ sent over all repetitions (0 when nothing was sent). */
const errorRate = (side: { errors: number; requests: number }) =>
  side.errors / Math.max(1, side.errors + side.requests);

const percentOf = (side: { errors: number; requests: number }) =>
  `${(100 * errorRate(side)).toFixed(1)}% (${side.errors} of ${side.errors + side.requests})`;

function resolve(options: CompareOptions) {
  const alpha = options.alpha ?? COMPARE_DEFAULTS.alpha;
  const minEffect = options.minEffect ?? COMPARE_DEFAULTS.minEffect;
  // A metric named twice is tested once: each test takes its share of alpha (Holm–Bonferroni), so a
  // repeated one would only lower the level the others are held to.
  const metrics = [...new Set(options.metrics ?? COMPARE_DEFAULTS.metrics)];
  const maxErrorIncrease = options.maxErrorIncrease ?? COMPARE_DEFAULTS.maxErrorIncrease;
  checkNumber(alpha, 'alpha', { above: 0, below: 1 });
  checkNumber(minEffect, 'minEffect', { min: 0 });
  checkNumber(maxErrorIncrease, 'maxErrorIncrease', { min: 0, max: 1 });
  if (metrics.length === 0) throw new InvalidOptionError('metrics', 'must name at least one metric');
  for (const m of metrics) {
    if (!GATE_METRICS.includes(m))
      throw new InvalidOptionError('metrics', `must each be one of ${GATE_METRICS.join(', ')}, got "${m}"`);
  }
  return { alpha, minEffect, metrics, maxErrorIncrease };
}

/**
 * The regression gate: compares two load-test reports target by target.
 * Each repetition is one sample (requests within a run are correlated, so
 * they are not independent samples); for each target and metric a one-sided
 * exact Mann–Whitney test asks whether current is worse, with Holm–Bonferroni
 * keeping the false-alarm rate of the whole comparison at `alpha`. A
 * regression also needs a Hodges–Lehmann shift of at least `minEffect`.
 * Refuses reports with different configurations, and answers `inconclusive`
 * when either run could not be trusted or there are too few repetitions to
 * ever reach `alpha` (6 + 6 reach 1/924).
 *
 * @example
 * const result = compareReports(readReport('base.json'), readReport('current.json'), { alpha: 0.01 });
 * if (result.verdict === 'regression') process.exitCode = 1;
 */
export function compareReports(
  base: LoadtestReport,
  current: LoadtestReport,
  options: CompareOptions = {},
): CompareResult {
  const { alpha, minEffect, metrics, maxErrorIncrease } = resolve(options);
  const diffs = configDifferences(base.config, current.config);
  if (diffs.length > 0) throw new ConfigMismatchError(diffs);

  const tests: Array<{ comparison: MetricComparison; target: string }> = [];
  const skippedReasons: string[] = [];
  const errorRegressions: string[] = [];
  const targets: TargetComparison[] = base.targets.map((b) => {
    const c = current.targets.find((t) => t.name === b.name) ?? b;
    const fewest = Math.min(...[...b.repetitions, ...c.repetitions].map((r) => r.requests));
    const comparisons = metrics.map((metric): MetricComparison => {
      const needed = minimumRequestsFor(metric);
      const skipped =
        fewest < needed
          ? `${metric} not gated: ${fewest} requests in a repetition, ${needed} needed to estimate it`
          : null;
      const baseValues = valuesOf(b.repetitions, metric);
      const currentValues = valuesOf(c.repetitions, metric);
      // For throughput, lower is worse: test the mirrored direction.
      const worse =
        metric === 'rps'
          ? rankSumPValue(currentValues, baseValues)
          : rankSumPValue(baseValues, currentValues);
      const better =
        metric === 'rps'
          ? rankSumPValue(baseValues, currentValues)
          : rankSumPValue(currentValues, baseValues);
      const shift = relativeShift(baseValues, currentValues);
      const comparison: MetricComparison = {
        metric,
        baseValues,
        currentValues,
        base: median(baseValues),
        current: median(currentValues),
        shift,
        pValue: worse,
        level: alpha,
        regression: false,
        improvement:
          !skipped && better <= alpha && (metric === 'rps' ? shift >= minEffect : shift <= -minEffect),
        skipped,
      };
      if (skipped) skippedReasons.push(`${b.name} ${skipped}`);
      else tests.push({ comparison, target: b.name });
      return comparison;
    });
    const baseSide = sideOf(b);
    const currentSide = sideOf(c);
    const errorRateRegression = errorRate(currentSide) - errorRate(baseSide) > maxErrorIncrease;
    if (errorRateRegression) {
      errorRegressions.push(
        `${b.name} error rate: ${percentOf(baseSide)} → ${percentOf(currentSide)} failed`,
      );
    }
    return { name: b.name, base: baseSide, current: currentSide, errorRateRegression, metrics: comparisons };
  });

  // Holm–Bonferroni: the k-th smallest p-value is held to alpha / (m − k); stop at the first that fails.
  const ordered = [...tests].sort((x, y) => x.comparison.pValue - y.comparison.pValue);
  let rejecting = true;
  ordered.forEach(({ comparison }, k) => {
    comparison.level = alpha / (ordered.length - k);
    rejecting = rejecting && comparison.pValue <= comparison.level;
    const large =
      comparison.metric === 'rps' ? comparison.shift <= -minEffect : comparison.shift >= minEffect;
    comparison.regression = rejecting && large;
  });

  const reasons: string[] = [...skippedReasons];
  if (tests.length === 0)
    reasons.push(
      'no metric could be gated: run more requests per repetition (a higher rate or a longer duration)',
    );
  const nBase = Math.min(...base.targets.map((t) => t.repetitions.length));
  const nCurrent = Math.min(...current.targets.map((t) => t.repetitions.length));
  const floor = minimumPValue(nBase, nCurrent);
  if (floor > alpha / tests.length) {
    reasons.push(
      `${nBase} + ${nCurrent} repetitions cannot reach p <= ${(alpha / tests.length).toPrecision(2)} (best possible ${floor.toPrecision(2)}); run more repetitions (6 + 6 reach 0.0011)`,
    );
  }
  for (const [label, report] of [
    ['baseline', base],
    ['current', current],
  ] as const) {
    for (const reason of report.inconclusive) reasons.push(`${label}: ${reason}`);
  }
  const regressions = tests.filter((t) => t.comparison.regression);
  for (const { comparison, target } of regressions) {
    reasons.push(
      `${target} ${comparison.metric}: ${comparison.base.toFixed(2)} → ${comparison.current.toFixed(2)} (${comparison.shift >= 0 ? '+' : ''}${(comparison.shift * 100).toFixed(1)}%, p = ${comparison.pValue.toPrecision(2)})`,
    );
  }
  reasons.push(...errorRegressions);
  const inconclusive =
    tests.length === 0 ||
    floor > alpha / tests.length ||
    base.inconclusive.length > 0 ||
    current.inconclusive.length > 0;
  return {
    format: 'perfkit-compare',
    version: 1,
    // A rise of failures needs no statistics to trust: it is a regression even when the latencies
    // cannot be judged (a run that failed most requests has too few answers to gate any).
    verdict:
      errorRegressions.length > 0
        ? 'regression'
        : inconclusive
          ? 'inconclusive'
          : regressions.length > 0
            ? 'regression'
            : 'pass',
    reasons,
    alpha,
    minEffect,
    maxErrorIncrease,
    metrics,
    repetitions: { base: nBase, current: nCurrent },
    targets,
  };
}
