import os from 'node:os';
import { InvalidOptionError } from '../errors.js';
import { redactUrl } from '../util/redact-url.js';
import type { LatencySummary } from './histogram.js';
import { collectMetadata, type RunMetadata } from './metadata.js';
import { judgeTargets, repetitionReport, targetReport } from './report-build.js';
import type { ErrorCounts, GeneratorLoad, RunResult } from './run-result.js';
import { saturationReasons } from './saturation.js';
import { formatShard, type Shard, shardConnections, splitShard, WHOLE_RUN } from './shard.js';
import type { LoadTarget } from './targets.js';
import type { Threshold, ThresholdResult } from './thresholds.js';
import { startGeneratorPool } from './worker-pool.js';
import type { WorkerJob } from './worker-protocol.js';

/** `open`: a fixed request rate, latency from each request's intended send time. `closed`: connection loops, each sending when answered. */
export type LoadModel = 'open' | 'closed';

/** Options of {@link runLoadtest}. Defaults are in {@link LOADTEST_DEFAULTS}. */
export interface LoadtestOptions {
  targets: LoadTarget[];
  /** Default: `open`. */
  model?: LoadModel;
  /** Open model: requests per second per target, of the whole run (all shards). Default: 100. */
  rate?: number;
  /** Keep-alive connections per target, of the whole run (closed model: the concurrency). Default: 10. */
  connections?: number;
  /** Measured time per target and repetition, ms. Default: 10 s. */
  durationMs?: number;
  /** Unmeasured load per target before the first repetition, ms. Default: 2 s. */
  warmupMs?: number;
  /** Measured repetitions per target, interleaved across targets. Default: 6 (enough for the gate at 1 %). */
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
  /** This machine's share of a run spread over several machines (`--shard K/N`). Default: the whole run. */
  shard?: Shard;
  /**
   * When the first phase starts, shared by every machine of a sharded run;
   * later phases follow on a fixed timeline ({@link PHASE_GAP_MS} apart).
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

/** With `startAt`, each phase starts this long after the previous one's schedule ended: time for its last answers and the next phase's connections, on every machine alike. */
export const PHASE_GAP_MS = 1000;

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

/** The configuration a report was made with; `compare` refuses reports whose configurations differ. */
export interface LoadtestConfig {
  model: LoadModel;
  /** Open model only; of the whole run. */
  rate: number | null;
  /** Of the whole run. */
  connections: number;
  durationMs: number;
  warmupMs: number;
  repetitions: number;
  timeoutMs: number;
  /** How latencies were corrected for coordinated omission. */
  latencyCorrection: 'intended-send-time' | 'wrk-mean-interval';
  /** Generator worker threads that made the report (a merged report: of all its parts). */
  workers: number;
  /** This report's share of a sharded run, or null for a whole run (a merged report is one). */
  shard: Shard | null;
  /** The shared start time (ISO 8601), or null. */
  startAt: string | null;
  /** Header values are left out and URLs redacted (user info, secret-named query parameters): they may hold credentials. */
  targets: Array<{ name: string; method: string; url: string; headerNames: string[]; hasBody: boolean }>;
}

/** How hard the generator worked during one repetition. */
export interface GeneratorReport {
  /** CPU time of the generating process(es) per second of the run, in cores. */
  cpuCores: number;
  /** Each worker's load, in order (a merged report: the parts' workers in part order). */
  workers: GeneratorLoad[];
}

/** One measured repetition of one target. */
export interface RepetitionReport {
  index: number;
  startedAt: string;
  elapsedMs: number;
  scheduled: number;
  requests: number;
  errors: ErrorCounts;
  rps: number;
  late: number;
  dropped: number;
  latency: LatencySummary;
  /** Closed model: latency before correction. */
  uncorrectedLatency: LatencySummary | null;
  /** Open model: p99 of how late sends left the generator, ms. */
  sendLagP99Ms: number | null;
  /** HdrHistogram compressed base64, values in µs. */
  histogram: string;
  uncorrectedHistogram: string | null;
  /** Open model: the send lag's histogram (µs), so merged reports keep it exactly. */
  sendLagHistogram: string | null;
  /** Null in reports made before perf-cli measured its own load. */
  generator: GeneratorReport | null;
  inconclusive: string[];
}

/** All repetitions of one target, with figures over all of them merged. */
export interface TargetReport {
  name: string;
  latency: LatencySummary;
  uncorrectedLatency: LatencySummary | null;
  /** Mean over repetitions of successful responses per second. */
  rps: number;
  requests: number;
  errors: ErrorCounts;
  late: number;
  dropped: number;
  repetitions: RepetitionReport[];
}

/** One machine's report among those `merge` combined. */
export interface ReportPart {
  shard: Shard;
  workers: number;
  metadata: RunMetadata;
}

/** A load test's result: the JSON output of `loadtest --json` and the file `--save` writes. */
export interface LoadtestReport {
  format: 'perfkit-loadtest';
  version: 1;
  /** A merged report: its first part's. */
  metadata: RunMetadata;
  config: LoadtestConfig;
  targets: TargetReport[];
  thresholds: ThresholdResult[];
  /** Why the run cannot be trusted; empty when it can. */
  inconclusive: string[];
  /** `fail` when a threshold is breached; `inconclusive` when the generator could not keep up or was the limit. */
  verdict: 'pass' | 'fail' | 'inconclusive';
  /** The machines' reports a merged report was made of, in shard order; null for a report of one run. */
  parts: ReportPart[] | null;
}

function resolve(options: LoadtestOptions) {
  const o = {
    ...LOADTEST_DEFAULTS,
    ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)),
  } as typeof LOADTEST_DEFAULTS & LoadtestOptions;
  const positive = (value: number, name: string, integer = false) => {
    if (!Number.isFinite(value) || value <= 0 || (integer && !Number.isInteger(value))) {
      throw new InvalidOptionError(
        `${name} must be a positive ${integer ? 'integer' : 'number'}, got ${value}`,
      );
    }
  };
  if (o.model !== 'open' && o.model !== 'closed')
    throw new InvalidOptionError(`--model must be open or closed, got "${o.model}"`);
  positive(o.rate, '--rate');
  positive(o.connections, '--connections', true);
  positive(o.durationMs, '--duration');
  positive(o.repetitions, '--repetitions', true);
  positive(o.timeoutMs, '--timeout');
  if (!(o.warmupMs >= 0)) throw new InvalidOptionError(`--warmup must be >= 0, got ${o.warmupMs}`);
  const machineConnections = shardConnections(o.connections, o.shard);
  const workers = o.workers ?? defaultWorkers(machineConnections);
  positive(workers, '--workers', true);
  if (workers > machineConnections) {
    throw new InvalidOptionError(
      `--workers ${workers} needs at least one connection each, and this ${o.shard.count === 1 ? 'run' : `shard (${formatShard(o.shard)})`} has ${machineConnections} of --connections ${o.connections}: raise --connections or lower --workers`,
    );
  }
  if (o.startAt && !(o.startAt.getTime() > Date.now() - 1000)) {
    throw new InvalidOptionError(
      `--start-at ${o.startAt.toISOString()} is ${((Date.now() - o.startAt.getTime()) / 1000).toFixed(1)} s in the past`,
    );
  }
  return { ...o, workers, machineConnections };
}

/**
 * Runs a load test: a warm-up per target, then `repetitions` measured
 * rounds, each running every target in turn (interleaved, so drift on a
 * shared machine spreads over all targets instead of biasing one), with an
 * HDR histogram per target and repetition, and thresholds checked on the
 * merged figures. The load comes from `workers` threads, each with its share
 * of the schedule and the connections; their histograms merge exactly. A
 * repetition in which a worker was the limit (busy 90 % of the time or
 * more), or the open model could not keep its schedule, makes the run
 * inconclusive instead of reporting the generator's figures as the
 * target's.
 *
 * @example
 * const report = await runLoadtest({
 *   targets: [parseTargetFlag('overview=http://127.0.0.1:3000/api/dashboard/overview')],
 *   model: 'open', rate: 200, durationMs: 5000, repetitions: 6, workers: 2,
 *   thresholds: [parseThreshold('overview:p99<2000')],
 * });
 * report.verdict // 'pass' | 'fail' | 'inconclusive'
 */
export async function runLoadtest(options: LoadtestOptions): Promise<LoadtestReport> {
  const o = resolve(options);
  const now = options.now ?? (() => new Date());
  const metadata = collectMetadata(now());
  const workerShards = splitShard(o.shard, o.workers);
  const jobs = (target: LoadTarget, durationMs: number): WorkerJob[] =>
    workerShards.map((shard, w) => {
      const connections = shardConnections(o.machineConnections, { index: w + 1, count: o.workers });
      return o.model === 'open'
        ? {
            model: 'open',
            target,
            options: {
              rate: o.rate,
              shard,
              durationMs,
              connections,
              timeoutMs: o.timeoutMs,
              lateThresholdMs: o.lateThresholdMs,
              maxInFlight: Math.ceil(o.maxInFlight / o.workers),
            },
          }
        : {
            model: 'closed',
            target,
            options: {
              connections,
              durationMs,
              timeoutMs: o.timeoutMs,
              // Machines sharing a start time must overlap: a phase that starts 1 % late on one of them does not.
              ...(o.startAt ? { maxStartLagMs: Math.max(o.lateThresholdMs, durationMs / 100) } : {}),
            },
          };
    });
  const phases = [
    ...(o.warmupMs > 0
      ? o.targets.map((target) => ({
          target,
          phase: 'warmup' as const,
          repetition: 0,
          durationMs: o.warmupMs,
        }))
      : []),
    ...Array.from({ length: o.repetitions }, (_, r) =>
      o.targets.map((target) => ({
        target,
        phase: 'measure' as const,
        repetition: r + 1,
        durationMs: o.durationMs,
      })),
    ).flat(),
  ];
  const runs = new Map<string, Array<{ run: RunResult; startedAt: string }>>(
    o.targets.map((t) => [t.name, []]),
  );
  const pool = await startGeneratorPool(o.workers);
  try {
    let startAt = o.startAt?.getTime();
    for (const { target, phase, repetition, durationMs } of phases) {
      const startedAt = new Date(startAt ?? now().getTime()).toISOString();
      const run = await pool.run(jobs(target, durationMs), {
        ...(startAt === undefined ? {} : { startAt }),
        onProgress: (fraction) =>
          options.onProgress?.({
            target: target.name,
            phase,
            repetition,
            repetitions: o.repetitions,
            fraction,
          }),
      });
      if (startAt !== undefined) startAt += durationMs + PHASE_GAP_MS;
      if (phase === 'measure') {
        run.inconclusive.push(...saturationReasons(run.generator, run.cpuCores));
        runs.get(target.name)?.push({ run, startedAt });
      }
    }
  } finally {
    await pool.close();
  }

  const targets = o.targets.map((target) =>
    targetReport(
      target.name,
      (runs.get(target.name) ?? []).map(({ run, startedAt }, i) => repetitionReport(run, i + 1, startedAt)),
    ),
  );
  const judged = judgeTargets(targets, options.thresholds ?? []);
  return {
    format: 'perfkit-loadtest',
    version: 1,
    metadata,
    config: {
      model: o.model,
      rate: o.model === 'open' ? o.rate : null,
      connections: o.connections,
      durationMs: o.durationMs,
      warmupMs: o.warmupMs,
      repetitions: o.repetitions,
      timeoutMs: o.timeoutMs,
      latencyCorrection: o.model === 'open' ? 'intended-send-time' : 'wrk-mean-interval',
      workers: o.workers,
      shard: o.shard.count > 1 ? o.shard : null,
      startAt: o.startAt ? o.startAt.toISOString() : null,
      targets: o.targets.map((t) => ({
        name: t.name,
        method: t.method,
        url: redactUrl(t.url),
        headerNames: Object.keys(t.headers).sort(),
        hasBody: t.body !== undefined,
      })),
    },
    targets,
    ...judged,
    parts: null,
  };
}
