import { Command } from 'commander';
import { compareReports } from '../compare/compare-reports.js';
import { exitCodeFor } from '../errors.js';
import { formatCompareTable } from '../format/compare-format.js';
import type { CliIo } from '../io.js';
import { readReport } from '../loadtest/report-file.js';
import { withFlagNames } from './flag-names.js';
import { addGateOptions, GATE_FLAGS, gateOptionsFrom } from './gate-options.js';

/**
 * `perf-cli compare BASE CURRENT`: the regression gate. Exit 0 pass, 1
 * regression, 2 bad input or mismatched configurations, 3 inconclusive.
 *
 * @example
 * perf-cli compare baseline.json current.json --alpha 0.01 --metric p50 --metric p99
 */
export function compareCommand(io: CliIo): Command {
  return addGateOptions(
    new Command('compare')
      .description('compare two load-test reports and gate on a statistically significant regression')
      .argument('<base>', 'baseline report (loadtest --save)')
      .argument('<current>', 'current report'),
  )
    .option('--json', 'print the comparison as JSON')
    .action(
      withFlagNames(GATE_FLAGS, (basePath: string, currentPath: string, opts) => {
        const result = compareReports(readReport(basePath), readReport(currentPath), gateOptionsFrom(opts));
        io.stdout.write(opts.json ? `${JSON.stringify(result, null, 2)}\n` : formatCompareTable(result));
        io.exitCode = exitCodeFor(result.verdict);
      }),
    );
}
