import { redactUrl } from '../util/redact-url.js';
import { type LoadtestOptions, resolveLoadtestOptions } from './loadtest-options.js';
import { collectMetadata } from './metadata.js';
import { judgeTargets, repetitionReport, targetReport } from './report-build.js';
import type { LoadtestReport } from './report-schema.js';
import type { RunResult } from './run-result.js';
import { saturationReasons } from './saturation.js';
import { shardConnections, splitShard } from './shard.js';
import type { LoadTarget } from './targets.js';
import { startGeneratorPool } from './worker-pool.js';
import type { WorkerJob } from './worker-protocol.js';

/** With `startAt`, each phase starts this long after the previous one's schedule ended: time for its last answers and the next phase's connections, on every machine alike. */
export const PHASE_GAP_MS = 1000;

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
  const o = resolveLoadtestOptions(options);
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
