import { decodeHistogram, encodeHistogram, mergeHistograms, summarize } from './histogram.js';
import type { RepetitionReport, TargetReport, Threshold, ThresholdResult } from './report-schema.js';
import { type RunResult, sumErrors, totalErrors } from './run-result.js';
import { evaluateThresholds, judgesErrors } from './thresholds.js';

const round = (value: number, digits: number) => Math.round(value * 10 ** digits) / 10 ** digits;

/**
 * A measured run as a report's repetition: summaries for reading, encoded
 * histograms for merging and comparing later.
 *
 * @example
 * repetitionReport(run, 1, new Date().toISOString()).latency.p99
 */
export function repetitionReport(run: RunResult, index: number, startedAt: string): RepetitionReport {
  return {
    index,
    startedAt,
    elapsedMs: round(run.elapsedMs, 3),
    scheduled: run.scheduled,
    requests: run.ok,
    errors: run.errors,
    rps: round((run.ok / Math.max(run.elapsedMs, 1)) * 1000, 2),
    late: run.late,
    dropped: run.dropped,
    latency: summarize(run.histogram),
    uncorrectedLatency: run.uncorrected ? summarize(run.uncorrected) : null,
    sendLagP99Ms: run.sendLag ? summarize(run.sendLag).p99 : null,
    histogram: encodeHistogram(run.histogram),
    uncorrectedHistogram: run.uncorrected ? encodeHistogram(run.uncorrected) : null,
    sendLagHistogram: run.sendLag ? encodeHistogram(run.sendLag) : null,
    generator: { cpuCores: run.cpuCores, workers: run.generator },
    inconclusive: run.inconclusive,
  };
}

/**
 * A saved repetition back as a run, histograms decoded, to merge it with others.
 *
 * @example
 * mergeRuns(parts.map((p) => repetitionRun(p.targets[0].repetitions[0])), labels)
 */
export function repetitionRun(repetition: RepetitionReport): RunResult {
  return {
    histogram: decodeHistogram(repetition.histogram),
    ...(repetition.uncorrectedHistogram
      ? { uncorrected: decodeHistogram(repetition.uncorrectedHistogram) }
      : {}),
    ...(repetition.sendLagHistogram ? { sendLag: decodeHistogram(repetition.sendLagHistogram) } : {}),
    scheduled: repetition.scheduled,
    ok: repetition.requests,
    errors: repetition.errors,
    late: repetition.late,
    dropped: repetition.dropped,
    elapsedMs: repetition.elapsedMs,
    inconclusive: repetition.inconclusive,
    generator: repetition.generator?.workers ?? [],
    cpuCores: repetition.generator?.cpuCores ?? 0,
  };
}

/**
 * One target's figures over all its repetitions: latency from the merged
 * histograms, throughput as the mean of the repetitions', counts summed.
 *
 * @example
 * targetReport('overview', repetitions).latency.p50
 */
export function targetReport(name: string, repetitions: RepetitionReport[]): TargetReport {
  const sum = (pick: (r: RepetitionReport) => number) => repetitions.reduce((acc, r) => acc + pick(r), 0);
  const uncorrected = repetitions.flatMap((r) =>
    r.uncorrectedHistogram ? [decodeHistogram(r.uncorrectedHistogram)] : [],
  );
  return {
    name,
    latency: summarize(mergeHistograms(repetitions.map((r) => decodeHistogram(r.histogram)))),
    uncorrectedLatency: uncorrected.length > 0 ? summarize(mergeHistograms(uncorrected)) : null,
    rps: round(sum((r) => r.rps) / Math.max(1, repetitions.length), 2),
    requests: sum((r) => r.requests),
    errors: sumErrors(repetitions.map((r) => r.errors)),
    late: sum((r) => r.late),
    dropped: sum((r) => r.dropped),
    repetitions,
  };
}

const defaultErrorsSource = (target: string) => `${target}:errors<1 (default)`;

/** Whether a report's threshold is one {@link judgeTargets} added, not one the user set. */
export const isDefaultThreshold = (threshold: Threshold) =>
  threshold.source === defaultErrorsSource(threshold.target);

/** `errors<1` for each target that failed requests and that no `errors` or `error_rate` threshold judges. */
function defaultErrorThresholds(
  targets: readonly TargetReport[],
  thresholds: readonly Threshold[],
): Threshold[] {
  return targets
    .filter(
      (t) => totalErrors(t.errors) > 0 && !thresholds.some((threshold) => judgesErrors(threshold, t.name)),
    )
    .map((t) => ({
      source: defaultErrorsSource(t.name),
      target: t.name,
      metric: 'errors',
      op: '<',
      value: 1,
    }));
}

/**
 * The verdict of a report's targets: thresholds checked on all repetitions
 * merged, every repetition's reasons to distrust it, `fail` over
 * `inconclusive` over `pass`. Failed requests are in no latency figure, so a
 * target may fail none unless an `errors` or `error_rate` threshold says how
 * many it may: a failed one is judged by the default `errors<1`.
 *
 * @example
 * const { verdict } = judgeTargets(targets, [parseThreshold('p99<2000')]);
 */
export function judgeTargets(
  targets: TargetReport[],
  thresholds: Threshold[],
): { thresholds: ThresholdResult[]; inconclusive: string[]; verdict: 'pass' | 'fail' | 'inconclusive' } {
  const results = evaluateThresholds(
    [...thresholds, ...defaultErrorThresholds(targets, thresholds)],
    targets,
  );
  const inconclusive = targets.flatMap((t) =>
    t.repetitions.flatMap((r) =>
      r.inconclusive.map((reason) => `${t.name} repetition ${r.index}: ${reason}`),
    ),
  );
  const verdict = results.some((t) => !t.passed) ? 'fail' : inconclusive.length > 0 ? 'inconclusive' : 'pass';
  return { thresholds: results, inconclusive, verdict };
}
