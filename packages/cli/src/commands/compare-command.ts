import { Command, Option } from 'commander';
import { compareReports, type GateMetric } from '../compare/compare-reports.js';
import { exitCodeFor } from '../errors.js';
import { formatCompareTable } from '../format/compare-format.js';
import type { CliIo } from '../io.js';
import { readReport } from '../loadtest/report-file.js';
import { parseNumber } from '../util/duration.js';

const collect = (value: string, previous: string[] | undefined) => [...(previous ?? []), value];

/**
 * `perf-cli compare BASE CURRENT`: the regression gate. Exit 0 pass, 1
 * regression, 2 bad input or mismatched configurations, 3 inconclusive.
 *
 * @example
 * perf-cli compare baseline.json current.json --alpha 0.01 --metric p50 --metric p99
 */
export function compareCommand(io: CliIo): Command {
  return new Command('compare')
    .description('compare two load-test reports and gate on a statistically significant regression')
    .argument('<base>', 'baseline report (loadtest --save)')
    .argument('<current>', 'current report')
    .addOption(
      new Option('--alpha <p>', 'false-alarm rate of the whole comparison')
        .default('0.01')
        .env('PERFKIT_ALPHA'),
    )
    .addOption(
      new Option('--metric <metric>', 'metric to gate on (repeatable; default p50 and p99)').argParser(
        collect,
      ),
    )
    .addOption(
      new Option('--min-effect <fraction>', 'smallest relative change that counts')
        .default('0.05')
        .env('PERFKIT_MIN_EFFECT'),
    )
    .option('--json', 'print the comparison as JSON')
    .action((basePath: string, currentPath: string, opts) => {
      const result = compareReports(readReport(basePath), readReport(currentPath), {
        alpha: parseNumber(opts.alpha, '--alpha', { min: 0, max: 1 }),
        minEffect: parseNumber(opts.minEffect, '--min-effect', { min: 0 }),
        ...(opts.metric ? { metrics: opts.metric as GateMetric[] } : {}),
      });
      io.stdout.write(opts.json ? `${JSON.stringify(result, null, 2)}\n` : formatCompareTable(result));
      io.exitCode = exitCodeFor(result.verdict);
    });
}
