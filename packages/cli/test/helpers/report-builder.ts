import { createHistogram, encodeHistogram, type LoadtestReport, summarize } from '../../src/index.js';

/** A repetition whose latencies are `ms` (all requests alike), with the given throughput. */
function repetition(index: number, ms: number, rps: number) {
  const h = createHistogram();
  for (let i = 0; i < 100; i++) h.recordValue(Math.round(ms * 1000 * (1 + i / 1000)));
  const latency = summarize(h);
  return {
    index,
    startedAt: new Date(Date.UTC(2026, 0, 1, 0, 0, index)).toISOString(),
    elapsedMs: 1000,
    scheduled: 100,
    requests: 100,
    errors: { status: 0, network: 0, timeout: 0 },
    rps,
    late: 0,
    dropped: 0,
    latency,
    uncorrectedLatency: null,
    sendLagP99Ms: 0.5,
    histogram: encodeHistogram(h),
    uncorrectedHistogram: null,
    sendLagHistogram: null,
    generator: { cpuCores: 0.1, workers: [{ busy: 0.1, cpu: 0.1, cpuWait: 0, loopDelayP99Ms: 1 }] },
    inconclusive: [],
  };
}

/**
 * A load-test report for one target whose repetitions have the given
 * typical latencies (ms); everything else is a fixed, valid configuration.
 */
export function buildReport(
  latenciesMs: number[],
  overrides: { rate?: number; name?: string } = {},
): LoadtestReport {
  const reps = latenciesMs.map((ms, i) => repetition(i + 1, ms, 100));
  const h = createHistogram();
  for (const ms of latenciesMs) h.recordValue(Math.round(ms * 1000));
  return {
    format: 'perfkit-loadtest',
    version: 1,
    metadata: {
      gitCommit: null,
      nodeVersion: process.version,
      cpuModel: 'test',
      cpuCount: 2,
      platform: 'test',
      date: '2026-01-01T00:00:00.000Z',
    },
    config: {
      model: 'open',
      rate: overrides.rate ?? 100,
      connections: 10,
      durationMs: 1000,
      warmupMs: 0,
      repetitions: latenciesMs.length,
      timeoutMs: 10_000,
      latencyCorrection: 'intended-send-time',
      workers: 1,
      shard: null,
      startAt: null,
      targets: [
        {
          name: overrides.name ?? 'overview',
          method: 'GET',
          url: 'http://127.0.0.1:1/api/dashboard/overview',
          headerNames: [],
          hasBody: false,
        },
      ],
    },
    targets: [
      {
        name: overrides.name ?? 'overview',
        latency: summarize(h),
        uncorrectedLatency: null,
        rps: 100,
        requests: 100 * latenciesMs.length,
        errors: { status: 0, network: 0, timeout: 0 },
        late: 0,
        dropped: 0,
        repetitions: reps,
      },
    ],
    thresholds: [],
    inconclusive: [],
    verdict: 'pass',
    parts: null,
  };
}

/** n values around `center` with a relative spread of ±`spread`, deterministic. */
export function noisy(center: number, n: number, spread: number, seed = 1): number[] {
  let x = seed;
  return Array.from({ length: n }, () => {
    x = (x * 16807) % 2147483647;
    return center * (1 + spread * (2 * (x / 2147483647) - 1));
  });
}
