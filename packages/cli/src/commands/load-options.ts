import { parseDuration } from '@perfkit/primitives';
import { type Command, Option } from 'commander';
import { InvalidOptionError } from '../errors.js';
import { progressBar } from '../format/progress.js';
import type { CliIo } from '../io.js';
import { LOADTEST_LIMITS, type LoadtestOptions } from '../loadtest/loadtest-options.js';
import { writeReport } from '../loadtest/report-file.js';
import type { LoadModel, LoadtestReport } from '../loadtest/report-schema.js';
import { runLoadtest } from '../loadtest/run-loadtest.js';
import { parseShard } from '../loadtest/shard.js';
import { loadTargetsFile, parseHeaders, parseTargetFlag } from '../loadtest/targets.js';
import { checkWritableFile, parseNumber } from '../util/option-checks.js';
import { parseTime } from '../util/parse-time.js';
import type { FlagNames } from './flag-names.js';

const DAY_MS = 86_400_000;

/** Appends a repeatable flag's values. */
export const collect = (value: string, previous: string[] | undefined) => [...(previous ?? []), value];

/** The flag of each load option, for messages (`durationMs` is `--duration`). */
export const LOAD_FLAGS = {
  model: '--model',
  rate: '--rate',
  connections: '--connections',
  durationMs: '--duration',
  warmupMs: '--warmup',
  repetitions: '--repetitions',
  timeoutMs: '--timeout',
  workers: '--workers',
  shard: '--shard',
  startAt: '--start-at',
} as const satisfies FlagNames & Partial<Record<keyof LoadtestOptions, string>>;

/**
 * The load options given on the command line (not from the environment,
 * where they may be set for every command of a job), as their flags.
 *
 * @example
 * loadFlagsGiven(command) // calibrate --from aa.json --rate 50: ['--rate']
 */
export function loadFlagsGiven(command: Command): string[] {
  const flags: string[] = ['--target', '--targets', '--header', ...Object.values(LOAD_FLAGS)];
  return command.options
    .filter((o) => o.long !== undefined && flags.includes(o.long))
    .filter((o) => command.getOptionValueSource(o.attributeName()) === 'cli')
    .map((o) => o.long as string);
}

/**
 * Adds the load options `loadtest` and `calibrate` share (targets, model,
 * rate, connections, duration, warm-up, repetitions, timeout, workers,
 * shard, start time, progress),
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
      new Option('--model <model>', 'open (fixed rate) or closed (connection loops)')
        .choices(['open', 'closed'])
        .default('open')
        .env('PERFKIT_MODEL'),
    )
    .addOption(
      new Option('--rate <n>', `open model: requests per second per target (at most ${LOADTEST_LIMITS.rate})`)
        .default('100')
        .env('PERFKIT_RATE'),
    )
    .addOption(
      new Option('-c, --connections <n>', `connections per target (at most ${LOADTEST_LIMITS.connections})`)
        .default('10')
        .env('PERFKIT_CONNECTIONS'),
    )
    .addOption(
      new Option(
        '-d, --duration <duration>',
        `measured time per repetition (e.g. 10s; at most ${LOADTEST_LIMITS.durationMs / DAY_MS}d)`,
      )
        .default('10s')
        .env('PERFKIT_DURATION'),
    )
    .addOption(
      new Option(
        '--warmup <duration>',
        `unmeasured warm-up per target (at most ${LOADTEST_LIMITS.durationMs / DAY_MS}d)`,
      )
        .default('2s')
        .env('PERFKIT_WARMUP'),
    )
    .addOption(
      new Option(
        '-r, --repetitions <n>',
        `measured repetitions per target (at most ${LOADTEST_LIMITS.repetitions})`,
      )
        .default(defaults.repetitions)
        .env('PERFKIT_REPETITIONS'),
    )
    .addOption(
      new Option('--timeout <duration>', 'per-request timeout').default('10s').env('PERFKIT_TIMEOUT'),
    )
    .addOption(
      new Option(
        '-w, --workers <n>',
        'generator worker threads, each with its share of the schedule and connections (default: half the cores)',
      ).env('PERFKIT_WORKERS'),
    )
    .addOption(
      new Option(
        '--shard <K/N>',
        "this machine's share of a run spread over N machines (merge the reports)",
      ).env('PERFKIT_SHARD'),
    )
    .addOption(
      new Option(
        '--start-at <time>',
        'start at this moment (ISO 8601 with zone, or Unix seconds), shared by all shards',
      ).env('PERFKIT_START_AT'),
    )
    .option('--no-progress', 'no progress bar on stderr');
}

/**
 * Turns the parsed shared options into {@link LoadtestOptions}: the text of
 * each flag parsed (a message names the flag), the ranges and the targets
 * (none at all included) left to `runLoadtest`, which checks them for every
 * caller (map its errors with {@link LOAD_FLAGS}).
 *
 * @example
 * runLoadtest(loadOptionsFrom(command.opts(), io))
 */
export function loadOptionsFrom(opts: Record<string, unknown>, io: CliIo): LoadtestOptions {
  const headers = parseHeaders((opts.header as string[] | undefined) ?? []);
  const targets = [
    ...(typeof opts.targets === 'string' ? loadTargetsFile(opts.targets) : []),
    ...((opts.target as string[] | undefined) ?? []).map((flag) => parseTargetFlag(flag, headers)),
  ];
  return {
    targets,
    model: opts.model as LoadModel,
    rate: parseNumber(opts.rate as string, LOAD_FLAGS.rate),
    connections: parseNumber(opts.connections as string, LOAD_FLAGS.connections),
    durationMs: parseDuration(opts.duration as string, LOAD_FLAGS.durationMs, InvalidOptionError),
    warmupMs: parseDuration(opts.warmup as string, LOAD_FLAGS.warmupMs, InvalidOptionError),
    repetitions: parseNumber(opts.repetitions as string, LOAD_FLAGS.repetitions),
    timeoutMs: parseDuration(opts.timeout as string, LOAD_FLAGS.timeoutMs, InvalidOptionError),
    ...(opts.workers === undefined
      ? {}
      : { workers: parseNumber(opts.workers as string, LOAD_FLAGS.workers) }),
    ...(opts.shard === undefined ? {} : { shard: parseShard(opts.shard as string) }),
    ...(opts.startAt === undefined ? {} : { startAt: parseTime(opts.startAt as string, LOAD_FLAGS.startAt) }),
    ...(opts.progress ? { onProgress: progressBar(io) } : {}),
  };
}

/**
 * Runs a load test and writes its report to `save` when one is given. The
 * file is checked first: a path that cannot be written fails before any
 * load is sent, not after a run whose results it would lose.
 *
 * @example
 * const report = await runLoadtestSaving(loadOptionsFrom(opts, io), opts.save);
 */
export async function runLoadtestSaving(
  options: LoadtestOptions,
  save: string | undefined,
): Promise<LoadtestReport> {
  if (save !== undefined) checkWritableFile(save);
  const report = await runLoadtest(options);
  if (save !== undefined) writeReport(save, report);
  return report;
}
