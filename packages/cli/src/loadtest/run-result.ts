import { decodeHistogram, encodeHistogram, type Histogram, mergeHistograms } from './histogram.js';
import type { ErrorCounts, GeneratorLoad } from './report-schema.js';

/**
 * Adds error counts up.
 *
 * @example
 * sumErrors([{ status: 1, network: 0, timeout: 2 }, { status: 0, network: 1, timeout: 0 }]) // { status: 1, network: 1, timeout: 2 }
 */
export function sumErrors(counts: ErrorCounts[]): ErrorCounts {
  const total = { status: 0, network: 0, timeout: 0 };
  for (const c of counts) {
    total.status += c.status;
    total.network += c.network;
    total.timeout += c.timeout;
  }
  return total;
}

/**
 * Failed requests of every kind.
 *
 * @example
 * totalErrors({ status: 1, network: 0, timeout: 2 }) // 3
 */
export function totalErrors(counts: ErrorCounts): number {
  return counts.status + counts.network + counts.timeout;
}

/** What one load model measured against one target. Latencies in µs. */
export interface ModelRunResult {
  /** Latency of successful (2xx/3xx) responses: open model from each request's intended send time; closed model corrected like wrk. */
  histogram: Histogram;
  /** Closed model only: the same latencies before coordinated-omission correction. */
  uncorrected?: Histogram;
  /** Open model only: how late each send left the generator. */
  sendLag?: Histogram;
  /** Requests the schedule asked for (open model) or sent (closed model). */
  scheduled: number;
  /** Successful responses. */
  ok: number;
  errors: ErrorCounts;
  /** Sends later than the late threshold. */
  late: number;
  /** Due requests never sent because the in-flight limit was reached. */
  dropped: number;
  /** From the clock start to the last response, ms. */
  elapsedMs: number;
  /** Reasons the run cannot be trusted; empty when it can. */
  inconclusive: string[];
}

/** A model's result with the load of the generator that produced it: what workers hand back and reports keep. */
export interface RunResult extends ModelRunResult {
  /** One entry per worker thread, in order. */
  generator: GeneratorLoad[];
  /** CPU time the generating process(es) used per second of the run, in cores. */
  cpuCores: number;
}

/** A {@link RunResult} as plain data (histograms encoded), to cross a thread or a file. */
export interface EncodedRun extends Omit<RunResult, 'histogram' | 'uncorrected' | 'sendLag'> {
  histogram: string;
  uncorrected: string | null;
  sendLag: string | null;
}

/**
 * Encodes a run for `postMessage` or a report.
 *
 * @example
 * const back = decodeRun(encodeRun(run)); // same counts, same histograms
 */
export function encodeRun(run: RunResult): EncodedRun {
  return {
    ...run,
    histogram: encodeHistogram(run.histogram),
    uncorrected: run.uncorrected ? encodeHistogram(run.uncorrected) : null,
    sendLag: run.sendLag ? encodeHistogram(run.sendLag) : null,
  };
}

/** Decodes {@link encodeRun}'s output. */
export function decodeRun(run: EncodedRun): RunResult {
  const { uncorrected, sendLag, ...rest } = run;
  return {
    ...rest,
    histogram: decodeHistogram(run.histogram),
    ...(uncorrected ? { uncorrected: decodeHistogram(uncorrected) } : {}),
    ...(sendLag ? { sendLag: decodeHistogram(sendLag) } : {}),
  };
}

/**
 * Merges runs that ran side by side — worker threads of one machine, or
 * machines of one sharded run — into one: counts add up, histograms merge
 * exactly (HdrHistogram bucket counts add), the elapsed time is the
 * longest, and each part's reasons to distrust it are kept, prefixed by its
 * label when there are several parts.
 *
 * @example
 * mergeRuns([worker1, worker2], ['worker 1', 'worker 2']).ok // worker1.ok + worker2.ok
 */
export function mergeRuns(parts: RunResult[], labels: string[]): RunResult {
  const [first] = parts;
  if (parts.length === 1 && first) return first;
  const sum = (pick: (r: RunResult) => number) => parts.reduce((acc, r) => acc + pick(r), 0);
  const all = (pick: (r: RunResult) => Histogram | undefined) => {
    const histograms = parts.map(pick);
    return histograms.every((h) => h !== undefined) ? mergeHistograms(histograms as Histogram[]) : undefined;
  };
  const uncorrected = all((r) => r.uncorrected);
  const sendLag = all((r) => r.sendLag);
  return {
    histogram: mergeHistograms(parts.map((r) => r.histogram)),
    ...(uncorrected ? { uncorrected } : {}),
    ...(sendLag ? { sendLag } : {}),
    scheduled: sum((r) => r.scheduled),
    ok: sum((r) => r.ok),
    errors: sumErrors(parts.map((r) => r.errors)),
    late: sum((r) => r.late),
    dropped: sum((r) => r.dropped),
    elapsedMs: Math.max(...parts.map((r) => r.elapsedMs)),
    inconclusive: parts.flatMap((r, i) =>
      r.inconclusive.map((reason) => `${labels[i] ?? `part ${i + 1}`}: ${reason}`),
    ),
    generator: parts.flatMap((r) => r.generator),
    cpuCores: sum((r) => r.cpuCores),
  };
}
