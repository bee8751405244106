import os from 'node:os';
import { InvalidOptionError } from '../errors.js';
import { checkNumber } from '../util/option-checks.js';
import type { LoadModel, Shard, Threshold } from './report-schema.js';
import { checkShard, formatShard, shardConnections, WHOLE_RUN } from './shard.js';
import { checkTargets, type LoadTarget } from './targets.js';
import { checkThresholdTargets } from './thresholds.js';

/** Options of `runLoadtest`. Defaults are in {@link LOADTEST_DEFAULTS}. */
export interface LoadtestOptions {
  targets: LoadTarget[];
  /** Default: `open`. */
  model?: LoadModel;
  /** Open model: requests per second per target, of the whole run (all shards). Default: 100; at most 1,000,000. */
  rate?: number;
  /** Keep-alive connections per target, of the whole run (closed model: the concurrency). Default: 10; at most 100,000. */
  connections?: number;
  /** Measured time per target and repetition, ms. Default: 10 s; at most 7 days. */
  durationMs?: number;
  /** Unmeasured load per target before the first repetition, ms. Default: 2 s; at most 7 days. */
  warmupMs?: number;
  /** Measured repetitions per target, interleaved across targets. Default: 6 (enough for the gate at 1 %); at most 100. */
  repetitions?: number;
  /** Per-request timeout, ms. Default: 10 s. */
  timeoutMs?: number;
  /** Open model: a send later than this is late, ms. Default: 5. */
  lateThresholdMs?: number;
  /** Open model: the most requests in flight per target on this machine before sends are dropped. Default: 10 000. */
  maxInFlight?: number;
  /**
   * Generator worker threads on this machine, each with its own connections
   * and event loop; the schedule and the connections are split between them
   * and their histograms merged exactly. Default: half the cores, at least 1,
   * at most one per connection ({@link defaultWorkers}).
   */
  workers?: number;
  /** This machine's share of a run spread over several machines. Default: the whole run. */
  shard?: Shard;
  /**
   * When the first phase starts, shared by every machine of a sharded run;
   * later phases follow on a fixed timeline (`PHASE_GAP_MS` apart).
   * Default: as soon as the connections are open.
   */
  startAt?: Date;
  /** Absolute thresholds, checked on all repetitions merged. Default: none. */
  thresholds?: Threshold[];
  /** Progress callback (the CLI draws a bar on stderr). */
  onProgress?: (event: LoadtestProgress) => void;
  /** The run's start time. Default: now. */
  now?: () => Date;
}

/** Emitted while a load test runs. */
export interface LoadtestProgress {
  target: string;
  phase: 'warmup' | 'measure';
  /** 1-based; 0 during warm-up. */
  repetition: number;
  repetitions: number;
  /** Fraction of this phase done, 0..1. */
  fraction: number;
}

/** Defaults of {@link LoadtestOptions}, resolved in one place (`workers` by {@link defaultWorkers}). */
export const LOADTEST_DEFAULTS = {
  model: 'open' as LoadModel,
  rate: 100,
  connections: 10,
  durationMs: 10_000,
  warmupMs: 2_000,
  repetitions: 6,
  timeoutMs: 10_000,
  lateThresholdMs: 5,
  maxInFlight: 10_000,
  shard: WHOLE_RUN,
};

/**
 * The most each option accepts: far beyond any real run, so that a slip
 * such as `-r 1e9` or `-d 99999999999999999999d` is refused instead of
 * running for ever. Repetitions stop at 100 because the gate's exact rank
 * test grows as the fourth power of them (100 + 100 take seconds per
 * target and metric; 1,000 + 1,000 would need tens of GB).
 *
 * @example
 * runLoadtest({ targets, repetitions: LOADTEST_LIMITS.repetitions + 1 }) // rejects: "repetitions must be an integer >= 1 and <= 100, got 101"
 */
export const LOADTEST_LIMITS = {
  rate: 1_000_000,
  connections: 100_000,
  /** Of a repetition and of the warm-up. */
  durationMs: 7 * 86_400_000,
  repetitions: 100,
  /** How far ahead `startAt` may be: a shared start for shards launched together, not a scheduler. */
  startAheadMs: 86_400_000,
};

/**
 * The default number of generator workers: half the cores (the other half
 * is left to the target, which usually runs on the same machine in CI), at
 * least 1 and at most one per connection.
 *
 * @example
 * defaultWorkers(50) // 1 on 2 cores, 4 on 8 cores
 */
export function defaultWorkers(connections: number, cores = os.availableParallelism()): number {
  return Math.max(1, Math.min(Math.floor(cores / 2), connections));
}

/**
 * Fills in the defaults and checks every option, throwing an
 * {@link InvalidOptionError} that names the option (`durationMs`, not a
 * CLI flag) or a `PERFKIT_CLI_INVALID_TARGETS` error.
 *
 * @example
 * resolveLoadtestOptions({ targets, warmupMs: -1 }) // throws "warmupMs must be >= 0 and <= 604800000 ms, got -1 ms"
 */
export function resolveLoadtestOptions(options: LoadtestOptions) {
  const o = {
    ...LOADTEST_DEFAULTS,
    ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)),
  } as typeof LOADTEST_DEFAULTS & LoadtestOptions;
  checkTargets(o.targets);
  checkThresholdTargets(
    o.thresholds ?? [],
    o.targets.map((t) => t.name),
  );
  if (o.model !== 'open' && o.model !== 'closed')
    throw new InvalidOptionError('model', `must be "open" or "closed", got "${o.model}"`);
  const max = LOADTEST_LIMITS;
  checkNumber(o.rate, 'rate', { above: 0, max: max.rate });
  checkNumber(o.connections, 'connections', { min: 1, max: max.connections, integer: true });
  checkNumber(o.durationMs, 'durationMs', { above: 0, max: max.durationMs, unit: 'ms' });
  checkNumber(o.warmupMs, 'warmupMs', { min: 0, max: max.durationMs, unit: 'ms' });
  checkNumber(o.repetitions, 'repetitions', { min: 1, max: max.repetitions, integer: true });
  checkNumber(o.timeoutMs, 'timeoutMs', { above: 0, unit: 'ms' });
  checkNumber(o.lateThresholdMs, 'lateThresholdMs', { above: 0, unit: 'ms' });
  checkNumber(o.maxInFlight, 'maxInFlight', { min: 1, integer: true });
  checkShard(o.shard);
  const machineConnections = shardConnections(o.connections, o.shard);
  const workers = checkNumber(o.workers ?? defaultWorkers(machineConnections), 'workers', {
    min: 1,
    integer: true,
  });
  if (workers > machineConnections) {
    const scope = o.shard.count === 1 ? 'run' : `shard (${formatShard(o.shard)})`;
    throw new InvalidOptionError(
      'workers',
      `${workers} needs at least one connection each, and this ${scope} has ${machineConnections} of ${o.connections} connections: raise the connections or lower the workers`,
    );
  }
  const startAt = o.startAt?.getTime();
  if (startAt !== undefined && Number.isNaN(startAt))
    throw new InvalidOptionError('startAt', 'must be a valid Date, got an invalid one');
  if (o.startAt && startAt !== undefined && startAt <= Date.now() - 1000) {
    const ago = ((Date.now() - startAt) / 1000).toFixed(1);
    throw new InvalidOptionError('startAt', `${o.startAt.toISOString()} is ${ago} s in the past`);
  }
  if (o.startAt && startAt !== undefined && startAt > Date.now() + max.startAheadMs) {
    const ahead = ((startAt - Date.now()) / 3_600_000).toFixed(1);
    const limit = max.startAheadMs / 3_600_000;
    throw new InvalidOptionError(
      'startAt',
      `${o.startAt.toISOString()} is ${ahead} h ahead; at most ${limit} h`,
    );
  }
  return { ...o, workers, machineConnections };
}
