import { Command } from 'commander';
import { exitCodeFor } from '../errors.js';
import { formatLoadtestTable } from '../format/loadtest-format.js';
import type { CliIo } from '../io.js';
import { mergeReports } from '../loadtest/merge-reports.js';
import { readReport, writeReport } from '../loadtest/report-file.js';

/**
 * `perf-cli merge A B …`: the reports of one run spread over machines
 * (`loadtest --shard K/N --start-at T --save`) as one report, for `compare`
 * and `report`. Exit codes as `loadtest`'s: 1 a threshold breached on the
 * whole, 2 parts that do not make one run, 3 inconclusive.
 *
 * @example
 * perf-cli merge shard-1.json shard-2.json --save current.json && perf-cli compare base.json current.json
 */
export function mergeCommand(io: CliIo): Command {
  return new Command('merge')
    .description(
      'merge the reports of one run spread over machines (loadtest --shard K/N --start-at T) into one',
    )
    .argument('<reports...>', 'the saved report of every shard')
    .option('--save <file>', 'write the merged report')
    .option('--json', 'print the merged report as JSON instead of a table')
    .action((paths: string[], opts) => {
      const report = mergeReports(paths.map((path) => ({ source: path, report: readReport(path) })));
      if (opts.save) writeReport(opts.save, report);
      io.stdout.write(opts.json ? `${JSON.stringify(report, null, 2)}\n` : formatLoadtestTable(report));
      io.exitCode = exitCodeFor(report.verdict);
    });
}
