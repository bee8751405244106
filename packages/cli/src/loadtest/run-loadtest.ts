import { InvalidOptionError } from '../errors.js';
import { redactUrl } from '../util/redact-url.js';
import { runClosedModel } from './closed-model.js';
import { encodeHistogram, type LatencySummary, mergeHistograms, summarize } from './histogram.js';
import { collectMetadata, type RunMetadata } from './metadata.js';
import { type ModelRunResult, runOpenModel } from './open-model.js';
import type { LoadTarget } from './targets.js';
import { evaluateThresholds, type Threshold, type ThresholdResult } from './thresholds.js';

/** `open`: a fixed request rate, latency from each request's intended send time. `closed`: autocannon's connection loops. */
export type LoadModel = 'open' | 'closed';

/** Options of {@link runLoadtest}. Defaults are in {@link LOADTEST_DEFAULTS}. */
export interface LoadtestOptions {
  targets: LoadTarget[];
  /** Default: `open`. */
  model?: LoadModel;
  /** Open model: requests per second per target. Default: 100. */
  rate?: number;
  /** Keep-alive connections per target (closed model: the concurrency). Default: 10. */
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
  /** Open model: the most requests in flight per target before sends are dropped. Default: 10 000. */
  maxInFlight?: number;
  /** Absolute thresholds, checked on all repetitions merged. Default: none. */
  thresholds?: Threshold[];
  /** Progress callback (the CLI draws a bar on stderr). */
  onProgress?: (event: LoadtestProgress) => void;
  /** The run's start time. Default: now. */
  now?: () => Date;
}

/** Defaults of {@link LoadtestOptions}, resolved in one place. */
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
};

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
  /** Open model only. */
  rate: number | null;
  connections: number;
  durationMs: number;
  warmupMs: number;
  repetitions: number;
  timeoutMs: number;
  /** How latencies were corrected for coordinated omission. */
  latencyCorrection: 'intended-send-time' | 'wrk-mean-interval';
  /** Header values are left out and URLs redacted (user info, secret-named query parameters): they may hold credentials. */
  targets: Array<{ name: string; method: string; url: string; headerNames: string[]; hasBody: boolean }>;
}

/** One measured repetition of one target. */
export interface RepetitionReport {
  index: number;
  startedAt: string;
  elapsedMs: number;
  scheduled: number;
  requests: number;
  errors: { status: number; network: number; timeout: number };
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
  errors: { status: number; network: number; timeout: number };
  late: number;
  dropped: number;
  repetitions: RepetitionReport[];
}

/** A load test's result: the JSON output of `loadtest --json` and the file `--save` writes. */
export interface LoadtestReport {
  format: 'perfkit-loadtest';
  version: 1;
  metadata: RunMetadata;
  config: LoadtestConfig;
  targets: TargetReport[];
  thresholds: ThresholdResult[];
  /** Why the run cannot be trusted; empty when it can. */
  inconclusive: string[];
  /** `fail` when a threshold is breached; `inconclusive` when the generator could not keep up. */
  verdict: 'pass' | 'fail' | 'inconclusive';
}

function resolve(options: LoadtestOptions) {
  const o = {
    ...LOADTEST_DEFAULTS,
    ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)),
  };
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
  return o as Required<Omit<LoadtestOptions, 'onProgress' | 'thresholds' | 'now'>> & LoadtestOptions;
}

const totalErrors = (e: { status: number; network: number; timeout: number }) =>
  e.status + e.network + e.timeout;

/**
 * Runs a load test: a warm-up per target, then `repetitions` measured
 * rounds, each running every target in turn (interleaved, so drift on a
 * shared machine spreads over all targets instead of biasing one), with an
 * HDR histogram per target and repetition, and thresholds checked on the
 * merged figures.
 *
 * @example
 * const report = await runLoadtest({
 *   targets: [parseTargetFlag('overview=http://127.0.0.1:3000/api/dashboard/overview')],
 *   model: 'open', rate: 200, durationMs: 5000, repetitions: 6,
 *   thresholds: [parseThreshold('overview:p99<2000')],
 * });
 * report.verdict // 'pass' | 'fail' | 'inconclusive'
 */
export async function runLoadtest(options: LoadtestOptions): Promise<LoadtestReport> {
  const o = resolve(options);
  const now = options.now ?? (() => new Date());
  const metadata = collectMetadata(now());
  const runOnce = (
    target: LoadTarget,
    durationMs: number,
    onProgress: (f: number) => void,
  ): Promise<ModelRunResult> =>
    o.model === 'open'
      ? runOpenModel(target, {
          rate: o.rate,
          durationMs,
          connections: o.connections,
          timeoutMs: o.timeoutMs,
          lateThresholdMs: o.lateThresholdMs,
          maxInFlight: o.maxInFlight,
          onProgress,
        })
      : runClosedModel(target, {
          connections: o.connections,
          durationMs,
          timeoutMs: o.timeoutMs,
          onProgress,
        });

  if (o.warmupMs > 0) {
    for (const target of o.targets) {
      await runOnce(target, o.warmupMs, (fraction) =>
        options.onProgress?.({
          target: target.name,
          phase: 'warmup',
          repetition: 0,
          repetitions: o.repetitions,
          fraction,
        }),
      );
    }
  }
  const runs = new Map<string, Array<{ run: ModelRunResult; startedAt: string }>>(
    o.targets.map((t) => [t.name, []]),
  );
  for (let rep = 1; rep <= o.repetitions; rep++) {
    for (const target of o.targets) {
      const startedAt = now().toISOString();
      const run = await runOnce(target, o.durationMs, (fraction) =>
        options.onProgress?.({
          target: target.name,
          phase: 'measure',
          repetition: rep,
          repetitions: o.repetitions,
          fraction,
        }),
      );
      runs.get(target.name)?.push({ run, startedAt });
    }
  }

  const targets: TargetReport[] = o.targets.map((target) => {
    const reps = runs.get(target.name) ?? [];
    const repetitions: RepetitionReport[] = reps.map(({ run, startedAt }, index) => ({
      index: index + 1,
      startedAt,
      elapsedMs: Math.round(run.elapsedMs * 1000) / 1000,
      scheduled: run.scheduled,
      requests: run.ok,
      errors: run.errors,
      rps: Math.round((run.ok / Math.max(run.elapsedMs, 1)) * 1000 * 100) / 100,
      late: run.late,
      dropped: run.dropped,
      latency: summarize(run.histogram),
      uncorrectedLatency: run.uncorrected ? summarize(run.uncorrected) : null,
      sendLagP99Ms: run.sendLag ? summarize(run.sendLag).p99 : null,
      histogram: encodeHistogram(run.histogram),
      uncorrectedHistogram: run.uncorrected ? encodeHistogram(run.uncorrected) : null,
      inconclusive: run.inconclusive,
    }));
    const sum = (pick: (r: ModelRunResult) => number) => reps.reduce((acc, { run }) => acc + pick(run), 0);
    const uncorrected = reps.flatMap(({ run }) => (run.uncorrected ? [run.uncorrected] : []));
    return {
      name: target.name,
      latency: summarize(mergeHistograms(reps.map(({ run }) => run.histogram))),
      uncorrectedLatency: uncorrected.length > 0 ? summarize(mergeHistograms(uncorrected)) : null,
      rps:
        Math.round((repetitions.reduce((acc, r) => acc + r.rps, 0) / Math.max(1, repetitions.length)) * 100) /
        100,
      requests: sum((r) => r.ok),
      errors: {
        status: sum((r) => r.errors.status),
        network: sum((r) => r.errors.network),
        timeout: sum((r) => r.errors.timeout),
      },
      late: sum((r) => r.late),
      dropped: sum((r) => r.dropped),
      repetitions,
    };
  });

  const thresholds = evaluateThresholds(
    options.thresholds ?? [],
    targets.map((t) => ({
      name: t.name,
      latency: t.latency,
      rps: t.rps,
      errors: totalErrors(t.errors),
      requests: t.requests,
    })),
  );
  const inconclusive = targets.flatMap((t) =>
    t.repetitions.flatMap((r) =>
      r.inconclusive.map((reason) => `${t.name} repetition ${r.index}: ${reason}`),
    ),
  );
  const verdict = thresholds.some((t) => !t.passed)
    ? 'fail'
    : inconclusive.length > 0
      ? 'inconclusive'
      : 'pass';
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
      targets: o.targets.map((t) => ({
        name: t.name,
        method: t.method,
        url: redactUrl(t.url),
        headerNames: Object.keys(t.headers).sort(),
        hasBody: t.body !== undefined,
      })),
    },
    targets,
    thresholds,
    inconclusive,
    verdict,
  };
}
