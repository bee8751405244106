import { Command } from 'commander';
import { calibrateGate, MIN_CALIBRATION_REPETITIONS } from '../compare/calibrate.js';
import { EXIT_CODES, InvalidOptionError } from '../errors.js';
import { formatCalibrationTable } from '../format/calibrate-format.js';
import type { CliIo } from '../io.js';
import { readReport } from '../loadtest/report-file.js';
import type { LoadtestReport } from '../loadtest/report-schema.js';
import { withFlagNames } from './flag-names.js';
import { addGateOptions, GATE_FLAGS, gateOptionsFrom } from './gate-options.js';
import {
  addLoadOptions,
  LOAD_FLAGS,
  loadFlagsGiven,
  loadOptionsFrom,
  runLoadtestSaving,
} from './load-options.js';

/** The run `--from` names, refused with flags that configure a new run, which it would ignore. */
function savedRun(path: string, command: Command): LoadtestReport {
  const ignored = [...loadFlagsGiven(command), ...(command.opts().save === undefined ? [] : ['--save'])];
  if (ignored.length > 0) {
    throw new InvalidOptionError(
      '--from',
      `reads a saved run instead of running one: drop ${ignored.join(', ')}, which would configure or save a new run`,
    );
  }
  return readReport(path);
}

/** A new A/A run, with enough repetitions to split, checked before any load is sent. */
function newRun(opts: Record<string, unknown>, io: CliIo): Promise<LoadtestReport> {
  const options = loadOptionsFrom(opts, io);
  if (options.repetitions !== undefined && options.repetitions < MIN_CALIBRATION_REPETITIONS) {
    throw new InvalidOptionError(
      '-r/--repetitions',
      `must be at least ${MIN_CALIBRATION_REPETITIONS} to calibrate (the run is split into two halves of at least ${MIN_CALIBRATION_REPETITIONS / 2}), got ${options.repetitions}`,
    );
  }
  return runLoadtestSaving(options, opts.save as string | undefined);
}

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
      .option(
        '--from <file>',
        `calibrate from a saved report (at least ${MIN_CALIBRATION_REPETITIONS} repetitions) instead of running`,
      )
      .option('--save <file>', 'save the A/A run'),
  )
    .option('--json', 'print the calibration as JSON')
    .action(
      withFlagNames({ ...LOAD_FLAGS, ...GATE_FLAGS }, async (opts, command: Command) => {
        const report = opts.from ? savedRun(opts.from, command) : await newRun(opts, io);
        const result = calibrateGate(report, gateOptionsFrom(opts));
        io.stdout.write(opts.json ? `${JSON.stringify(result, null, 2)}\n` : formatCalibrationTable(result));
        io.exitCode = result.aa.verdict === 'regression' ? EXIT_CODES.gateFailed : EXIT_CODES.ok;
      }),
    );
}
