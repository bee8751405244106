import { Command } from 'commander';
import { calibrateGate } from '../compare/calibrate.js';
import { EXIT_CODES } from '../errors.js';
import { formatCalibrationTable } from '../format/calibrate-format.js';
import type { CliIo } from '../io.js';
import { readReport, writeReport } from '../loadtest/report-file.js';
import { runLoadtest } from '../loadtest/run-loadtest.js';
import { withFlagNames } from './flag-names.js';
import { addGateOptions, GATE_FLAGS, gateOptionsFrom } from './gate-options.js';
import { addLoadOptions, LOAD_FLAGS, loadOptionsFrom } from './load-options.js';

/**
 * `perf-cli calibrate`: A/A runs on this machine (2 × the repetitions the
 * gate will use), then the smallest regression the gate detects at its
 * false-alarm setting. `--from` calibrates from a saved run instead.
 *
 * @example
 * perf-cli calibrate --target overview=http://127.0.0.1:3000/api/dashboard/overview --rate 200 -r 12
 */
export function calibrateCommand(io: CliIo): Command {
  return addGateOptions(
    addLoadOptions(
      new Command('calibrate').description(
        'A/A runs: print the smallest regression the gate detects on this machine',
      ),
      { repetitions: '12' },
    )
      .option('--from <file>', 'calibrate from a saved report (at least 4 repetitions) instead of running')
      .option('--save <file>', 'save the A/A run'),
  )
    .option('--json', 'print the calibration as JSON')
    .action(
      withFlagNames({ ...LOAD_FLAGS, ...GATE_FLAGS }, async (opts) => {
        const report = opts.from ? readReport(opts.from) : await runLoadtest(loadOptionsFrom(opts, io));
        if (opts.save && !opts.from) writeReport(opts.save, report);
        const result = calibrateGate(report, gateOptionsFrom(opts));
        io.stdout.write(opts.json ? `${JSON.stringify(result, null, 2)}\n` : formatCalibrationTable(result));
        io.exitCode = result.aa.verdict === 'regression' ? EXIT_CODES.gateFailed : EXIT_CODES.ok;
      }),
    );
}
