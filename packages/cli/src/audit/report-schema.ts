import { z } from 'zod';

// The one definition of an audit report: the types below are inferred from
// it and the published JSON Schema (`auditReportJsonSchema`) is generated
// from it.

const severitySchema = z.enum(['high', 'medium', 'low', 'info']);
/** How bad a finding is; `--fail-on` names the lowest severity that fails the run. */
export type Severity = z.infer<typeof severitySchema>;
/** Most severe first. */
export const SEVERITIES: readonly Severity[] = severitySchema.options;

const findingKindSchema = z.enum([
  'seq_scan_large_table',
  'row_misestimate',
  'filter_discards_rows',
  'sort_spill',
  'hash_spill',
  'nested_loop_many_loops',
  'statement_timeout',
  'query_error',
  'write_not_executed',
  'fk_without_index',
  'duplicate_index',
  'overlapping_index',
  'unused_index',
  'invalid_index',
  'table_never_analyzed',
]);
/** Every kind of finding the audit reports. */
export type FindingKind = z.infer<typeof findingKindSchema>;

const auditFindingSchema = z.object({
  kind: findingKindSchema,
  severity: severitySchema,
  query: z.string().optional().describe('the catalog query whose plan showed it; absent for schema findings'),
  table: z.string().optional(),
  index: z.string().optional(),
  message: z.string(),
  detail: z
    .record(z.string(), z.union([z.number(), z.string(), z.boolean(), z.array(z.string()), z.null()]))
    .describe('figures behind the finding (rows, loops, ratio …)'),
});
/** One problem found in a plan or in the schema. */
export type AuditFinding = z.infer<typeof auditFindingSchema>;

const auditedQuerySchema = z.object({
  name: z.string(),
  sql: z.string(),
  planningMs: z.number().nullable(),
  executionMs: z.number().nullable(),
  totalCost: z.number().nullable(),
  sharedHitBlocks: z.number().nullable(),
  sharedReadBlocks: z.number().nullable(),
  error: z.string().nullable(),
});
/** One audited query's figures. */
export type AuditedQuery = z.infer<typeof auditedQuerySchema>;

const indexSuggestionSchema = z.object({
  table: z.string(),
  columns: z.array(z.string()).min(1),
  sql: z
    .string()
    .regex(/^CREATE INDEX CONCURRENTLY /)
    .describe('ready to run: built CONCURRENTLY, so writes are not blocked'),
  reason: z.string(),
  queries: z.array(z.string()).describe('queries whose plans asked for it'),
  status: z
    .enum(['verified', 'no-gain', 'unverified'])
    .describe(
      'verified: HypoPG showed a lower cost; no-gain: it did not; unverified: HypoPG is not installed',
    ),
  costBefore: z
    .number()
    .nullable()
    .describe('planner cost of the first query without the hypothetical index'),
  costAfter: z.number().nullable().describe('…and with it'),
});
/** An index the audit proposes, and whether HypoPG confirmed it lowers the plan's cost. */
export type IndexSuggestion = z.infer<typeof indexSuggestionSchema>;

const topStatementSchema = z.object({
  query: z.string(),
  calls: z.number(),
  totalMs: z.number(),
  meanMs: z.number(),
  rows: z.number(),
  sharedReadBlocks: z.number(),
});
/** One entry of pg_stat_statements. */
export type TopStatement = z.infer<typeof topStatementSchema>;

const findingCount = z.number().int().min(0);

/**
 * An audit's result: what `runAudit` returns and `audit --json` prints.
 *
 * @example
 * auditReportSchema.parse(JSON.parse(stdout)).summary.high
 */
export const auditReportSchema = z.object({
  format: z.literal('perfkit-audit'),
  version: z.literal(1),
  database: z.object({ serverVersion: z.string(), schema: z.string() }),
  extensions: z.object({ hypopg: z.boolean(), pgStatStatements: z.boolean() }),
  queries: z.array(auditedQuerySchema),
  findings: z.array(auditFindingSchema).describe('most severe first'),
  suggestions: z.array(indexSuggestionSchema),
  topQueries: z
    .array(topStatementSchema)
    .nullable()
    .describe('null when pg_stat_statements is not installed or not loaded'),
  summary: z.object({ high: findingCount, medium: findingCount, low: findingCount, info: findingCount }),
  notes: z.array(z.string()),
});
/** `audit --json` prints this. */
export type AuditReport = z.infer<typeof auditReportSchema>;
