import { seededRandom } from '@perfkit/primitives';
import { InvalidOptionError } from '../errors.js';
import { targetReport } from '../loadtest/report-build.js';
import type { LoadtestReport } from '../loadtest/report-schema.js';
import { checkNumber } from '../util/option-checks.js';
import {
  COMPARE_DEFAULTS,
  type CompareOptions,
  compareReports,
  minimumRequestsFor,
} from './compare-reports.js';
import { median, rankSumPValue, relativeShift } from './rank-test.js';
import type { CompareResult, GateMetric } from './result-schema.js';

/** The fewest repetitions a calibration takes: two halves of at least 2, the fewest a rank test compares. */
export const MIN_CALIBRATION_REPETITIONS = 4;

/** Options of {@link calibrateGate}: the gate's ({@link CompareOptions}), and the search's. */
export interface CalibrateOptions extends CompareOptions {
  /** Detection probability a regression must reach to count as detectable. Default: 0.9. */
  power?: number;
  /** Random splits per candidate regression size. Default: 200. */
  trials?: number;
  /** Seed of the split generator, so a calibration is reproducible. Default: 1. */
  seed?: number;
}

/** What the gate can see on this machine, per target and metric. */
export interface CalibrationEntry {
  target: string;
  metric: GateMetric;
  median: number;
  /** Coefficient of variation of the per-repetition values. */
  cv: number;
  /** Smallest relative regression detected with probability >= `power`, or null if none up to +200 %. */
  smallestDetectable: number | null;
}

/** `calibrate --json` prints this. */
export interface CalibrationResult {
  format: 'perfkit-calibration';
  version: 1;
  alpha: number;
  minEffect: number;
  power: number;
  repetitionsPerSide: number;
  entries: CalibrationEntry[];
  /** The smallest regression detectable on every target and metric (the worst entry). */
  smallestDetectable: number | null;
  /** The real gate on the run split in time: first half as baseline, second half as current. */
  aa: CompareResult;
}

/** The largest regression calibration looks for: +200 %. */
const MAX_SHIFT = 2;

/** Splits a report's repetitions into two reports: the first half in time and the second. */
export function splitReport(report: LoadtestReport): [LoadtestReport, LoadtestReport] {
  const half = (from: number, to: number): LoadtestReport => ({
    ...report,
    config: { ...report.config, repetitions: to - from },
    // Each half's own figures (latency, throughput, errors), from its own repetitions.
    targets: report.targets.map((t) => targetReport(t.name, t.repetitions.slice(from, to))),
  });
  const n = Math.floor(Math.min(...report.targets.map((t) => t.repetitions.length)) / 2);
  return [half(0, n), half(n, 2 * n)];
}

/**
 * Calibrates the gate from one A/A run (2n repetitions of an unchanged
 * system): for each target and metric, random splits of the repetitions into
 * n + n are given an injected regression of δ, and the smallest δ the gate's
 * test catches with probability `power` (at its Bonferroni share of `alpha`
 * and its minimum effect) is reported. Also runs the real gate on the first
 * half against the second (`aa`): the CLI exits 1 on its regression only.
 *
 * @example
 * const c = calibrateGate(await runLoadtest({ ...options, repetitions: 12 }));
 * c.smallestDetectable // e.g. 0.08: regressions of 8 % and more are caught
 */
export function calibrateGate(report: LoadtestReport, options: CalibrateOptions = {}): CalibrationResult {
  const alpha = options.alpha ?? COMPARE_DEFAULTS.alpha;
  const minEffect = options.minEffect ?? COMPARE_DEFAULTS.minEffect;
  const metrics = options.metrics ?? COMPARE_DEFAULTS.metrics;
  const power = checkNumber(options.power ?? 0.9, 'power', { above: 0, max: 1 });
  const trials = checkNumber(options.trials ?? 200, 'trials', { min: 1, integer: true });
  const random = seededRandom(options.seed ?? 1);
  const fewestRepetitions = Math.min(...report.targets.map((t) => t.repetitions.length));
  const n = Math.floor(fewestRepetitions / 2);
  if (fewestRepetitions < MIN_CALIBRATION_REPETITIONS)
    throw new InvalidOptionError(
      'report',
      `must have at least ${MIN_CALIBRATION_REPETITIONS} repetitions per target to calibrate, got ${fewestRepetitions}`,
    );
  const [first, second] = splitReport(report);
  const maxErrorIncrease = options.maxErrorIncrease ?? COMPARE_DEFAULTS.maxErrorIncrease;
  const aa = compareReports(first, second, { alpha, minEffect, metrics, maxErrorIncrease });
  const fewest = (target: LoadtestReport['targets'][number]) =>
    Math.min(...target.repetitions.map((r) => r.requests));
  const gated = report.targets.flatMap((target) =>
    metrics
      .filter((metric) => fewest(target) >= minimumRequestsFor(metric))
      .map((metric) => ({ target, metric })),
  );
  const level = alpha / Math.max(1, gated.length);
  const entries: CalibrationEntry[] = [];
  for (const { target, metric } of gated) {
    const values = target.repetitions.map((r) => (metric === 'rps' ? r.rps : r.latency[metric]));
    const mid = median(values);
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    const sd = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, values.length - 1));
    const detectionRate = (delta: number) => {
      let detected = 0;
      for (let trial = 0; trial < trials; trial++) {
        const shuffled = [...values];
        for (let i = shuffled.length - 1; i > 0; i--) {
          const j = Math.floor(random() * (i + 1));
          [shuffled[i], shuffled[j]] = [shuffled[j] as number, shuffled[i] as number];
        }
        const base = shuffled.slice(0, n);
        // Throughput regresses downwards, latency upwards.
        const current = shuffled
          .slice(n, 2 * n)
          .map((v) => (metric === 'rps' ? v / (1 + delta) : v * (1 + delta)));
        const p = metric === 'rps' ? rankSumPValue(current, base) : rankSumPValue(base, current);
        const shift = relativeShift(base, current);
        if (p <= level && (metric === 'rps' ? -shift >= minEffect : shift >= minEffect)) detected++;
      }
      return detected / trials;
    };
    // Detection grows with the injected shift, so a binary search over whole percents finds the threshold.
    let smallest: number | null = null;
    if (detectionRate(MAX_SHIFT) >= power) {
      let lo = 0;
      let hi = MAX_SHIFT * 100;
      while (hi - lo > 1) {
        const mid = Math.floor((lo + hi) / 2);
        if (detectionRate(mid / 100) >= power) hi = mid;
        else lo = mid;
      }
      smallest = hi / 100;
    }
    entries.push({
      target: target.name,
      metric,
      median: mid,
      cv: mean > 0 ? sd / mean : 0,
      smallestDetectable: smallest,
    });
  }
  const worst = entries.some((e) => e.smallestDetectable === null)
    ? null
    : Math.max(...entries.map((e) => e.smallestDetectable ?? 0));
  return {
    format: 'perfkit-calibration',
    version: 1,
    alpha,
    minEffect,
    power,
    repetitionsPerSide: n,
    entries,
    smallestDetectable: worst,
    aa,
  };
}
