import { z } from 'zod';
import { LATENCY_METRICS } from '../loadtest/histogram.js';
import { latencySummarySchema } from '../loadtest/report-schema.js';

// The one definition of the gate's result: the types below are inferred from
// it and the published JSON Schema (`compareResultJsonSchema`) is generated
// from it.

export const gateMetricSchema = z.enum([...LATENCY_METRICS, 'rps']);
/** Metrics the gate can test: latency figures (higher is worse) and `rps` (lower is worse). */
export type GateMetric = z.infer<typeof gateMetricSchema>;

const metricComparisonSchema = z.object({
  metric: gateMetricSchema,
  baseValues: z.array(z.number()).describe('per repetition (ms, or req/s for rps)'),
  currentValues: z.array(z.number()),
  base: z.number().describe('median of the per-repetition values'),
  current: z.number(),
  shift: z.number().describe('Hodges–Lehmann relative shift, current against base (+0.2 = 20 % higher)'),
  pValue: z.number().min(0).max(1).describe('one-sided exact rank-sum p-value that current is worse'),
  level: z.number().describe('the Holm–Bonferroni level this test was held to'),
  regression: z.boolean(),
  improvement: z.boolean().describe('significant and at least minEffect better'),
  skipped: z
    .string()
    .nullable()
    .describe('why this metric was not tested (too few requests per repetition to estimate it), or null'),
});
/** One metric of one target, base against current. */
export type MetricComparison = z.infer<typeof metricComparisonSchema>;

const sideSchema = z.object({
  latency: latencySummarySchema,
  rps: z.number(),
  errors: z.number().int().min(0),
  requests: z.number().int().min(0),
});

const targetComparisonSchema = z.object({
  name: z.string(),
  base: sideSchema.describe('over all repetitions merged'),
  current: sideSchema,
  errorRateRegression: z
    .boolean()
    .describe("current's error rate rose over the baseline's by more than maxErrorIncrease"),
  metrics: z.array(metricComparisonSchema),
});
/** Side-by-side figures of one target over all repetitions merged. */
export type TargetComparison = z.infer<typeof targetComparisonSchema>;

/**
 * The gate's result, what `compareReports` returns and `compare --json`
 * prints.
 *
 * @example
 * compareResultSchema.parse(JSON.parse(stdout)).verdict // 'pass' | 'regression' | 'inconclusive'
 */
export const compareResultSchema = z.object({
  format: z.literal('perfkit-compare'),
  version: z.literal(1),
  verdict: z.enum(['pass', 'regression', 'inconclusive']),
  reasons: z.array(z.string()),
  alpha: z.number().gt(0).lt(1),
  minEffect: z.number().min(0),
  maxErrorIncrease: z.number().min(0).max(1),
  metrics: z.array(gateMetricSchema).min(1),
  repetitions: z.object({ base: z.number().int().min(0), current: z.number().int().min(0) }),
  targets: z.array(targetComparisonSchema),
});
/** The gate's result: `compare --json` prints it. */
export type CompareResult = z.infer<typeof compareResultSchema>;
