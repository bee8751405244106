/**
 * Load through perf-cli's library (`runLoadtest`, closed model: each
 * connection sends its next request when the previous one is answered).
 *
 * A perf-cli target carries one set of headers, so one API key: the heavy
 * tenant is one target; round-robin is one target per tenant, which the
 * load test runs in turn, all connections on one tenant for a short while,
 * then the next.
 */
import {
  createHistogram,
  decodeHistogram,
  type Histogram,
  type LatencySummary,
  type LoadTarget,
  mergeHistograms,
  runLoadtest,
  summarize,
  type TargetReport,
} from '@perfkit/cli';

/** How hard, how long and how often one load test loads each tenant. */
export interface LoadSpec {
  connections: number;
  /** Per tenant (target) and repetition. */
  durationMs: number;
  repetitions: number;
  timeoutMs: number;
}

/** What the generator measured for one URL, over all its tenants and repetitions. */
export interface Measured {
  /** Successful (2xx/3xx) responses. */
  requests: number;
  errors: { status: number; network: number; timeout: number };
  /** Successful responses per second of measured time. */
  rps: number;
  /** Wrk-style corrected (perf-cli's closed-model figure). */
  latency: LatencySummary;
  /** As answered, before correction: what a server-side timer can be compared with. */
  raw: LatencySummary;
  /** Measured seconds. */
  seconds: number;
  histogram: Histogram;
  rawHistogram: Histogram;
  /** The busiest generator worker's share of time running callbacks (≥ 0.9: perf-cli calls the generator the limit). */
  generatorBusy: number;
  /** Why perf-cli found a run untrustworthy (e.g. its generator was the limit); empty when it did not. */
  inconclusive: string[];
}

function measured(
  parts: Array<Omit<Measured, 'rps' | 'latency' | 'raw' | 'inconclusive'>>,
  inconclusive: string[],
): Measured {
  const sum = (pick: (p: (typeof parts)[number]) => number) => parts.reduce((acc, p) => acc + pick(p), 0);
  const requests = sum((p) => p.requests);
  const seconds = sum((p) => p.seconds);
  const histogram = mergeHistograms(parts.map((p) => p.histogram));
  const rawHistogram = mergeHistograms(parts.map((p) => p.rawHistogram));
  return {
    requests,
    errors: {
      status: sum((p) => p.errors.status),
      network: sum((p) => p.errors.network),
      timeout: sum((p) => p.errors.timeout),
    },
    rps: seconds > 0 ? requests / seconds : 0,
    latency: summarize(histogram),
    raw: summarize(rawHistogram),
    seconds,
    histogram,
    rawHistogram,
    generatorBusy: Math.max(0, ...parts.map((p) => p.generatorBusy)),
    inconclusive,
  };
}

/** One repetition of one target, in the shape {@link measured} adds up. */
function repetitionPart(target: TargetReport, index: number) {
  const r = target.repetitions[index] as TargetReport['repetitions'][number];
  return {
    requests: r.requests,
    errors: r.errors,
    seconds: r.elapsedMs / 1000,
    histogram: decodeHistogram(r.histogram),
    rawHistogram: r.uncorrectedHistogram ? decodeHistogram(r.uncorrectedHistogram) : createHistogram(),
    generatorBusy: Math.max(0, ...(r.generator?.workers.map((w) => w.busy) ?? [])),
  };
}

/**
 * Adds up measurements of one group made by different calls (e.g. the
 * repetitions of the CPU-hog comparison, one call each).
 *
 * @example
 * total = total ? addMeasured(total, next) : next;
 */
export function addMeasured(a: Measured, b: Measured): Measured {
  return measured([a, b], [...a.inconclusive, ...b.inconclusive]);
}

/**
 * Loads `url` over `spec.connections` connections as each of `apiKeys` in
 * turn (one perf-cli target per tenant, `spec.durationMs` each) and adds up
 * the targets' figures.
 *
 * @example
 * const heavyOverview = await loadTenants(`${app.url}/api/dashboard/overview?range=30d`, [heavyKey], spec);
 */
export async function loadTenants(url: string, apiKeys: string[], spec: LoadSpec): Promise<Measured> {
  const targets: LoadTarget[] = apiKeys.map((apiKey, t) => ({
    name: `tenant-${t}`,
    url,
    method: 'GET',
    headers: { authorization: `Bearer ${apiKey}` },
  }));
  const report = await runLoadtest({
    targets,
    model: 'closed',
    connections: spec.connections,
    durationMs: spec.durationMs,
    warmupMs: 0,
    repetitions: spec.repetitions,
    timeoutMs: spec.timeoutMs,
  });
  const parts = report.targets.flatMap((t) => t.repetitions.map((_, i) => repetitionPart(t, i)));
  return measured(parts, report.inconclusive);
}
