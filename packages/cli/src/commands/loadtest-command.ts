import { Command } from 'commander';
import { exitCodeFor } from '../errors.js';
import { formatLoadtestTable } from '../format/loadtest-format.js';
import type { CliIo } from '../io.js';
import { parseThreshold } from '../loadtest/thresholds.js';
import { withFlagNames } from './flag-names.js';
import { addLoadOptions, collect, LOAD_FLAGS, loadOptionsFrom, runLoadtestSaving } from './load-options.js';

/**
 * `perf-cli loadtest`: runs {@link runLoadtest} and prints a table or JSON,
 * optionally saving the report as a baseline. Exit 0 pass, 1 threshold
 * breached, 2 bad input, 3 inconclusive.
 *
 * @example
 * perf-cli loadtest --target overview=http://127.0.0.1:3000/api/dashboard/overview --rate 200 --threshold 'overview:p99<2000' --save base.json
 */
export function loadtestCommand(io: CliIo): Command {
  return addLoadOptions(
    new Command('loadtest').description(
      'load-test HTTP endpoints (open model: fixed rate, latency from intended send time; closed model: connection loops), from worker threads, and machines with --shard',
    ),
    { repetitions: '6' },
  )
    .option(
      '--threshold <[target:]metric<value>',
      'absolute threshold, e.g. overview:p99<2000 (repeatable)',
      collect,
    )
    .option('--save <file>', 'write the report (encoded histograms + metadata) as a baseline file')
    .option('--json', 'print the report as JSON instead of a table')
    .action(
      withFlagNames(LOAD_FLAGS, async (opts) => {
        const thresholds = ((opts.threshold as string[] | undefined) ?? []).map(parseThreshold);
        const report = await runLoadtestSaving({ ...loadOptionsFrom(opts, io), thresholds }, opts.save);
        io.stdout.write(opts.json ? `${JSON.stringify(report, null, 2)}\n` : formatLoadtestTable(report));
        io.exitCode = exitCodeFor(report.verdict);
      }),
    );
}
