import { type Command, Option } from 'commander';
import type { CompareOptions } from '../compare/compare-reports.js';
import type { GateMetric } from '../compare/result-schema.js';
import { parseNumber } from '../util/option-checks.js';
import type { FlagNames } from './flag-names.js';
import { collect } from './load-options.js';

/** The flag of each gate option, for messages. */
export const GATE_FLAGS = {
  alpha: '--alpha',
  minEffect: '--min-effect',
  metrics: '--metric',
  maxErrorIncrease: '--max-error-increase',
} as const satisfies FlagNames & Record<keyof CompareOptions, string>;

/**
 * Adds the gate's options that `compare` and `calibrate` share (`--alpha`,
 * `--min-effect`, `--metric`, `--max-error-increase`), each readable from a `PERFKIT_*` variable
 * where it has one.
 *
 * @example
 * addGateOptions(new Command('compare'))
 */
export function addGateOptions(command: Command): Command {
  return command
    .addOption(
      new Option('--alpha <p>', 'false-alarm rate of the whole comparison')
        .default('0.01')
        .env('PERFKIT_ALPHA'),
    )
    .addOption(
      new Option('--min-effect <fraction>', 'smallest relative change that counts')
        .default('0.05')
        .env('PERFKIT_MIN_EFFECT'),
    )
    .addOption(
      new Option('--max-error-increase <fraction>', 'how far the error rate may rise over the baseline')
        .default('0.001')
        .env('PERFKIT_MAX_ERROR_INCREASE'),
    )
    .addOption(
      new Option('--metric <metric>', 'metric to gate on (repeatable; default p50 and p99)').argParser(
        collect,
      ),
    );
}

/**
 * The parsed gate flags as {@link CompareOptions}; the library checks
 * their ranges and names (map its errors with {@link GATE_FLAGS}).
 *
 * @example
 * compareReports(base, current, gateOptionsFrom(command.opts()))
 */
export function gateOptionsFrom(opts: Record<string, unknown>): CompareOptions {
  return {
    alpha: parseNumber(opts.alpha as string, GATE_FLAGS.alpha),
    minEffect: parseNumber(opts.minEffect as string, GATE_FLAGS.minEffect),
    maxErrorIncrease: parseNumber(opts.maxErrorIncrease as string, GATE_FLAGS.maxErrorIncrease),
    ...(opts.metric ? { metrics: opts.metric as GateMetric[] } : {}),
  };
}
