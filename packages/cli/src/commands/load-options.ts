import { type Command, Option } from 'commander';
import { progressBar } from '../format/progress.js';
import type { CliIo } from '../io.js';
import type { LoadModel, LoadtestOptions } from '../loadtest/run-loadtest.js';
import { checkTargets, loadTargetsFile, parseHeaders, parseTargetFlag } from '../loadtest/targets.js';
import { parseDuration, parseNumber } from '../util/duration.js';

/** Appends a repeatable flag's values. */
export const collect = (value: string, previous: string[] | undefined) => [...(previous ?? []), value];

/**
 * Adds the load options `loadtest` and `calibrate` share (targets, model,
 * rate, connections, duration, warm-up, repetitions, timeout, progress),
 * each readable from a `PERFKIT_*` environment variable.
 *
 * @example
 * addLoadOptions(new Command('loadtest'), { repetitions: '6' })
 */
export function addLoadOptions(command: Command, defaults: { repetitions: string }): Command {
  return command
    .addOption(new Option('-t, --target <[METHOD ]NAME=URL>', 'a target (repeatable)').argParser(collect))
    .addOption(
      new Option('--targets <file>', 'JSON file of targets: [{ name, url, method?, headers?, body? }]').env(
        'PERFKIT_TARGETS',
      ),
    )
    .addOption(
      new Option('-H, --header <"name: value">', 'header sent with --target requests (repeatable)').argParser(
        collect,
      ),
    )
    .addOption(
      new Option('--model <model>', 'open (fixed rate) or closed (autocannon)')
        .choices(['open', 'closed'])
        .default('open')
        .env('PERFKIT_MODEL'),
    )
    .addOption(
      new Option('--rate <n>', 'open model: requests per second per target')
        .default('100')
        .env('PERFKIT_RATE'),
    )
    .addOption(
      new Option('-c, --connections <n>', 'connections per target').default('10').env('PERFKIT_CONNECTIONS'),
    )
    .addOption(
      new Option('-d, --duration <duration>', 'measured time per repetition (e.g. 10s)')
        .default('10s')
        .env('PERFKIT_DURATION'),
    )
    .addOption(
      new Option('--warmup <duration>', 'unmeasured warm-up per target').default('2s').env('PERFKIT_WARMUP'),
    )
    .addOption(
      new Option('-r, --repetitions <n>', 'measured repetitions per target')
        .default(defaults.repetitions)
        .env('PERFKIT_REPETITIONS'),
    )
    .addOption(
      new Option('--timeout <duration>', 'per-request timeout').default('10s').env('PERFKIT_TIMEOUT'),
    )
    .option('--no-progress', 'no progress bar on stderr');
}

/**
 * Turns the parsed shared options into {@link LoadtestOptions}, validating each with a message naming its flag.
 *
 * @example
 * runLoadtest(loadOptionsFrom(command.opts(), io))
 */
export function loadOptionsFrom(opts: Record<string, unknown>, io: CliIo): LoadtestOptions {
  const headers = parseHeaders((opts.header as string[] | undefined) ?? []);
  const targets = checkTargets([
    ...(typeof opts.targets === 'string' ? loadTargetsFile(opts.targets) : []),
    ...((opts.target as string[] | undefined) ?? []).map((flag) => parseTargetFlag(flag, headers)),
  ]);
  return {
    targets,
    model: opts.model as LoadModel,
    rate: parseNumber(opts.rate as string, '--rate', { min: 0.001 }),
    connections: parseNumber(opts.connections as string, '--connections', { min: 1, integer: true }),
    durationMs: parseDuration(opts.duration as string, '--duration'),
    warmupMs: parseDuration(opts.warmup as string, '--warmup'),
    repetitions: parseNumber(opts.repetitions as string, '--repetitions', { min: 1, integer: true }),
    timeoutMs: parseDuration(opts.timeout as string, '--timeout'),
    ...(opts.progress ? { onProgress: progressBar(io) } : {}),
  };
}
