import { z } from 'zod';
import { decodeHistogram } from './histogram.js';
import { THRESHOLD_METRICS } from './thresholds.js';

// The one definition of a load-test report: the types below are inferred
// from it, `readReport` validates files with it, and the published JSON
// Schema (`loadtestReportJsonSchema`) is generated from it.

const count = z.number().int().min(0);
const isoTime = z.string().regex(/^\d{4}-\d{2}-\d{2}T/, 'expected an ISO 8601 time');

function decodes(encoded: string): boolean {
  try {
    decodeHistogram(encoded);
    return true;
  } catch {
    return false;
  }
}

// A report whose histograms do not decode would fail later, in merge or the HTML report, with the codec's error.
const encodedHistogram = z
  .string()
  .regex(/^[A-Za-z0-9+/=]+$/, 'expected base64')
  .refine(decodes, 'not an HdrHistogram in compressed base64 form')
  .describe('HdrHistogram compressed base64, values in µs');

const ms = z.number().min(0);

export const latencySummarySchema = z.object({
  count,
  mean: ms,
  p50: ms,
  p90: ms,
  p99: ms,
  p999: ms,
  max: ms,
});
/** The latency figures every report shows, in milliseconds. */
export type LatencySummary = z.infer<typeof latencySummarySchema>;

const errorCountsSchema = z.object({ status: count, network: count, timeout: count });
/** Failed requests by kind: an HTTP status of 400 or more, a broken connection, no answer in time. */
export type ErrorCounts = z.infer<typeof errorCountsSchema>;

const shardSchema = z
  .object({ index: z.number().int().min(1), count: z.number().int().min(1) })
  .refine((shard) => shard.index <= shard.count, 'a shard index is at most the shard count');
/**
 * A share of one run: shard K of N sends the requests i of the open model's
 * schedule with i ≡ K − 1 (mod N) — every N-th request, offset by K − 1 —
 * over its share of the connections. N shards together send exactly the
 * whole schedule, each request once at its own time, however the shards are
 * spread over machines and worker threads.
 */
export type Shard = z.infer<typeof shardSchema>;

const runMetadataSchema = z.object({
  gitCommit: z.string().nullable().describe('GITHUB_SHA, else git rev-parse HEAD, else null'),
  nodeVersion: z.string(),
  cpuModel: z.string(),
  cpuCount: count,
  platform: z.string(),
  date: isoTime.describe('the start time'),
});
/** Where and when a run was made: enough to tell why two runs differ. */
export type RunMetadata = z.infer<typeof runMetadataSchema>;

const loadModelSchema = z.enum(['open', 'closed']);
/** `open`: a fixed request rate, latency from each request's intended send time. `closed`: connection loops, each sending when answered. */
export type LoadModel = z.infer<typeof loadModelSchema>;

const loadtestConfigSchema = z.object({
  model: loadModelSchema,
  rate: z
    .number()
    .positive()
    .nullable()
    .describe('open model only: requests per second per target, of the whole run'),
  connections: z.number().int().min(1).describe('per target, of the whole run'),
  durationMs: z.number().positive(),
  warmupMs: z.number().min(0),
  repetitions: z.number().int().min(1),
  timeoutMs: z.number().positive(),
  latencyCorrection: z
    .enum(['intended-send-time', 'wrk-mean-interval'])
    .describe('how latencies were corrected for coordinated omission'),
  workers: z
    .number()
    .int()
    .min(1)
    .default(1)
    .describe('generator worker threads that made the report (a merged report: of all its parts)'),
  shard: shardSchema
    .nullable()
    .default(null)
    .describe("this report's share of a sharded run, or null for a whole run (a merged report is one)"),
  startAt: isoTime.nullable().default(null).describe('the start time shared by the shards of a run, or null'),
  targets: z
    .array(
      z.object({
        name: z.string().min(1),
        method: z.string().min(1),
        url: z
          .string()
          .refine((url) => URL.canParse(url), 'expected a URL')
          .describe('redacted: no user info, and secret-named query parameters as ***'),
        headerNames: z.array(z.string()).describe('names only: header values may be credentials'),
        hasBody: z.boolean(),
      }),
    )
    .min(1),
});
/** The configuration a report was made with; `compare` refuses reports whose configurations differ. */
export type LoadtestConfig = z.infer<typeof loadtestConfigSchema>;

const generatorLoadSchema = z.object({
  busy: z
    .number()
    .min(0)
    .max(1)
    .describe('share of the run its event loop was busy (event-loop utilization)'),
  cpu: z.number().nullable().describe('share of the run it ran on a CPU (Linux; null elsewhere)'),
  cpuWait: z
    .number()
    .nullable()
    .describe('share of the run it was ready to run but waited for a CPU (Linux; null elsewhere)'),
  loopDelayP99Ms: z.number().min(0).describe('p99 of how late its event loop’s 10 ms tick fired'),
});
/** How hard one generator worker worked during a run. */
export type GeneratorLoad = z.infer<typeof generatorLoadSchema>;

const generatorReportSchema = z.object({
  cpuCores: z
    .number()
    .min(0)
    .describe('CPU time of the generating process(es) per second of the run, in cores'),
  workers: z
    .array(generatorLoadSchema)
    .describe("each worker's load, in order (a merged report: the parts' workers in part order)"),
});
/** How hard the generator worked during one repetition. */
export type GeneratorReport = z.infer<typeof generatorReportSchema>;

const repetitionReportSchema = z.object({
  index: z.number().int().min(1),
  startedAt: isoTime,
  elapsedMs: z.number().min(0),
  scheduled: count,
  requests: count.describe('successful responses'),
  errors: errorCountsSchema,
  rps: z.number().min(0),
  late: count,
  dropped: count,
  latency: latencySummarySchema,
  uncorrectedLatency: latencySummarySchema.nullable().describe('closed model: latency before correction'),
  sendLagP99Ms: z.number().nullable().describe('open model: p99 of how late sends left the generator'),
  histogram: encodedHistogram,
  uncorrectedHistogram: encodedHistogram.nullable(),
  sendLagHistogram: encodedHistogram
    .nullable()
    .default(null)
    .describe("open model: the send lag's histogram, so merged reports keep it exactly"),
  generator: generatorReportSchema
    .nullable()
    .default(null)
    .describe('null in reports made before perf-cli measured its own load'),
  inconclusive: z.array(z.string()).describe('why this repetition cannot be trusted; empty when it can'),
});
/** One measured repetition of one target. */
export type RepetitionReport = z.infer<typeof repetitionReportSchema>;

const targetReportSchema = z.object({
  name: z.string().min(1),
  latency: latencySummarySchema.describe('over all repetitions merged'),
  uncorrectedLatency: latencySummarySchema.nullable(),
  rps: z.number().min(0).describe('mean over repetitions of successful responses per second'),
  requests: count,
  errors: errorCountsSchema,
  late: count,
  dropped: count,
  repetitions: z.array(repetitionReportSchema).min(1),
});
/** All repetitions of one target, with figures over all of them merged. */
export type TargetReport = z.infer<typeof targetReportSchema>;

const thresholdSchema = z.object({
  source: z.string().describe('as written, e.g. overview:p99<2000'),
  target: z.string().describe('a target name, or * for every target'),
  metric: z.enum(THRESHOLD_METRICS),
  op: z.enum(['<', '<=', '>', '>=']),
  value: z.number(),
});
/** An absolute bound such as `overview:p99<2000` (target `*` means every target). */
export type Threshold = z.infer<typeof thresholdSchema>;

const thresholdResultSchema = thresholdSchema.extend({
  checkedTarget: z.string().describe('the target checked (a * threshold yields one result per target)'),
  actual: z.number(),
  passed: z.boolean(),
});
/** The outcome of one threshold on one target. */
export type ThresholdResult = z.infer<typeof thresholdResultSchema>;

const reportPartSchema = z.object({
  shard: shardSchema,
  workers: z.number().int().min(1),
  metadata: runMetadataSchema,
});
/** One machine's report among those `mergeReports` combined. */
export type ReportPart = z.infer<typeof reportPartSchema>;

/**
 * A load-test report: what `runLoadtest` and `mergeReports` return, the JSON
 * output of `loadtest --json` and the file `--save` writes. Reports made
 * before a field existed still parse, with the value those versions implied
 * (`workers` 1, `generator` null, …).
 *
 * @example
 * const report = loadtestReportSchema.parse(JSON.parse(text)); // or readReport(path)
 */
export const loadtestReportSchema = z
  .object({
    format: z.literal('perfkit-loadtest'),
    version: z.literal(1),
    metadata: runMetadataSchema.describe("a merged report: its first part's"),
    config: loadtestConfigSchema,
    targets: z.array(targetReportSchema).min(1),
    thresholds: z.array(thresholdResultSchema),
    inconclusive: z.array(z.string()).describe('why the run cannot be trusted; empty when it can'),
    verdict: z
      .enum(['pass', 'fail', 'inconclusive'])
      .describe('fail: a threshold breached; inconclusive: the generator could not keep up or was the limit'),
    parts: z
      .array(reportPartSchema)
      .nullable()
      .default(null)
      .describe('the reports a merged report was made of, in shard order; null for a report of one run'),
  })
  .refine(
    (report) =>
      report.targets.map((t) => t.name).join('\n') === report.config.targets.map((t) => t.name).join('\n'),
    { message: 'the targets measured are not the targets configured', path: ['targets'] },
  );
/** A load test's result: the JSON output of `loadtest --json` and the file `--save` writes. */
export type LoadtestReport = z.infer<typeof loadtestReportSchema>;
