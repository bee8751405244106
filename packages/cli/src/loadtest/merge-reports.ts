import { configDifferences } from '../compare/compare-reports.js';
import { PerfCliError } from '../errors.js';
import {
  isDefaultThreshold,
  judgeTargets,
  repetitionReport,
  repetitionRun,
  targetReport,
} from './report-build.js';
import type { LoadtestReport, RepetitionReport, Shard } from './report-schema.js';
import { mergeRuns } from './run-result.js';
import { formatShard } from './shard.js';
import { parseThreshold } from './thresholds.js';

/** A saved report and where it came from, for messages. */
export interface MergeInput {
  source: string;
  report: LoadtestReport;
}

const cannot = (message: string) => new PerfCliError('PERFKIT_CLI_CANNOT_MERGE', message);

/** The parts as one complete set of shards of one run with one start time, in shard order; throws naming what is wrong. */
function checkParts(inputs: MergeInput[]): Array<MergeInput & { shard: Shard }> {
  const parts = inputs.map((input) => {
    const { shard, startAt } = input.report.config;
    if (!shard) throw cannot(`${input.source} is a whole run, not a shard of one`);
    if (!startAt)
      throw cannot(
        `${input.source} has no start time: the shards of one run share one, so that their loads add up`,
      );
    return { ...input, shard };
  });
  const [first] = parts;
  if (!first) throw cannot('nothing to merge: name the reports of every shard');
  const count = first.shard.count;
  for (const part of parts) {
    if (part.shard.count !== count)
      throw cannot(
        `${first.source} is shard ${formatShard(first.shard)} but ${part.source} is ${formatShard(part.shard)}`,
      );
    if (part.report.config.startAt !== first.report.config.startAt)
      throw cannot(
        `${part.source} started at ${part.report.config.startAt}, ${first.source} at ${first.report.config.startAt}: not one run`,
      );
    // Shards differ in their shard, by definition; everything else must match.
    const differences = configDifferences(
      { ...first.report.config, shard: null },
      { ...part.report.config, shard: null },
    );
    if (part.report.config.repetitions !== first.report.config.repetitions)
      differences.push(
        `repetitions: ${first.report.config.repetitions} vs ${part.report.config.repetitions}`,
      );
    if (differences.length > 0)
      throw cannot(`${part.source} and ${first.source} are not parts of one run: ${differences.join('; ')}`);
  }
  const sorted = [...parts].sort((a, b) => a.shard.index - b.shard.index);
  for (let index = 1; index <= count; index++) {
    const found = sorted.filter((p) => p.shard.index === index);
    if (found.length === 0) throw cannot(`shard ${index}/${count} is missing`);
    if (found.length > 1)
      throw cannot(`shard ${index}/${count} is given twice: ${found.map((p) => p.source).join(', ')}`);
  }
  return sorted;
}

/**
 * Merges the reports of one run spread over machines (`loadtest --shard
 * K/N --start-at T` on each) into the report of the whole run: per target
 * and repetition the counts add up and the HDR histograms merge exactly, so
 * the result is what one machine sending the whole schedule would have
 * recorded. Thresholds the parts were given are checked again on the whole;
 * a part's reason to distrust its share (late sends, a saturated worker)
 * makes the whole inconclusive. `compare` and `report` take the result like
 * any other report.
 *
 * @example
 * const whole = mergeReports([{ source: 'a.json', report: readReport('a.json') }, { source: 'b.json', report: readReport('b.json') }]);
 * whole.config.shard // null
 */
export function mergeReports(inputs: MergeInput[]): LoadtestReport {
  const parts = checkParts(inputs);
  const [first] = parts;
  if (!first) throw cannot('nothing to merge');
  const labels = parts.map((p) => `shard ${formatShard(p.shard)}`);
  const targets = first.report.targets.map((target) =>
    targetReport(
      target.name,
      target.repetitions.map((_, r) => {
        const repetitions = parts.map((p) => {
          const repetition = p.report.targets.find((t) => t.name === target.name)?.repetitions[r];
          if (!repetition) throw cannot(`${p.source} has no repetition ${r + 1} of ${target.name}`);
          return repetition;
        });
        const startedAt = repetitions.map((x: RepetitionReport) => x.startedAt).sort()[0] ?? '';
        return repetitionReport(mergeRuns(repetitions.map(repetitionRun), labels), r + 1, startedAt);
      }),
    ),
  );
  // The user's thresholds; judgeTargets adds the defaults again where the merged figures need them.
  const sources = [
    ...new Set(
      parts.flatMap((p) => p.report.thresholds.filter((t) => !isDefaultThreshold(t)).map((t) => t.source)),
    ),
  ];
  return {
    format: 'perfkit-loadtest',
    version: 1,
    metadata: first.report.metadata,
    config: {
      ...first.report.config,
      workers: parts.reduce((sum, p) => sum + p.report.config.workers, 0),
      shard: null,
    },
    targets,
    ...judgeTargets(targets, sources.map(parseThreshold)),
    parts: parts.map((p) => ({
      shard: p.shard,
      workers: p.report.config.workers,
      metadata: p.report.metadata,
    })),
  };
}
