import { Command, Option } from 'commander';
import { calibrateGate } from '../compare/calibrate.js';
import type { GateMetric } from '../compare/compare-reports.js';
import { EXIT_CODES } from '../errors.js';
import { formatCalibrationTable } from '../format/calibrate-format.js';
import type { CliIo } from '../io.js';
import { readReport, writeReport } from '../loadtest/report-file.js';
import { runLoadtest } from '../loadtest/run-loadtest.js';
import { parseNumber } from '../util/duration.js';
import { addLoadOptions, collect, loadOptionsFrom } from './load-options.js';

/**
 * `perf-cli calibrate`: A/A runs on this machine (2 × the repetitions the
 * gate will use), then the smallest regression the gate detects at its
 * false-alarm setting. `--from` calibrates from a saved run instead.
 *
 * @example
 * perf-cli calibrate --target overview=http://127.0.0.1:3000/api/dashboard/overview --rate 200 -r 12
 */
export function calibrateCommand(io: CliIo): Command {
  return addLoadOptions(
    new Command('calibrate').description(
      'A/A runs: print the smallest regression the gate detects on this machine',
    ),
    { repetitions: '12' },
  )
    .option('--from <file>', 'calibrate from a saved report (at least 4 repetitions) instead of running')
    .option('--save <file>', 'save the A/A run')
    .addOption(new Option('--alpha <p>', "the gate's false-alarm rate").default('0.01').env('PERFKIT_ALPHA'))
    .addOption(
      new Option('--min-effect <fraction>', "the gate's minimum effect")
        .default('0.05')
        .env('PERFKIT_MIN_EFFECT'),
    )
    .addOption(
      new Option('--metric <metric>', 'metric the gate tests (repeatable; default p50 and p99)').argParser(
        collect,
      ),
    )
    .option('--json', 'print the calibration as JSON')
    .action(async (opts) => {
      const report = opts.from ? readReport(opts.from) : await runLoadtest(loadOptionsFrom(opts, io));
      if (opts.save && !opts.from) writeReport(opts.save, report);
      const result = calibrateGate(report, {
        alpha: parseNumber(opts.alpha, '--alpha', { min: 0, max: 1 }),
        minEffect: parseNumber(opts.minEffect, '--min-effect', { min: 0 }),
        ...(opts.metric ? { metrics: opts.metric as GateMetric[] } : {}),
      });
      io.stdout.write(opts.json ? `${JSON.stringify(result, null, 2)}\n` : formatCalibrationTable(result));
      io.exitCode = result.aa.verdict === 'regression' ? EXIT_CODES.gateFailed : EXIT_CODES.ok;
    });
}
