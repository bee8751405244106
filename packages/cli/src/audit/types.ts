/** How bad a finding is; `--fail-on` names the lowest severity that fails the run. */
export type Severity = 'high' | 'medium' | 'low' | 'info';
export const SEVERITIES: readonly Severity[] = ['high', 'medium', 'low', 'info'];

/** Every kind of finding the audit reports. */
export type FindingKind =
  | 'seq_scan_large_table'
  | 'row_misestimate'
  | 'filter_discards_rows'
  | 'sort_spill'
  | 'hash_spill'
  | 'nested_loop_many_loops'
  | 'statement_timeout'
  | 'query_error'
  | 'write_not_executed'
  | 'fk_without_index'
  | 'duplicate_index'
  | 'overlapping_index'
  | 'unused_index'
  | 'invalid_index'
  | 'table_never_analyzed';

/** One problem found in a plan or in the schema. */
export interface AuditFinding {
  kind: FindingKind;
  severity: Severity;
  /** The catalog query whose plan showed it; absent for schema findings. */
  query?: string;
  table?: string;
  index?: string;
  message: string;
  /** Figures behind the finding (rows, loops, ratio …). */
  detail: Record<string, number | string | boolean | string[] | null>;
}

/** A query to audit: a catalog entry or one read from a file. */
export interface AuditQuery {
  name: string;
  description?: string;
  sql: string;
  parameters: readonly unknown[];
}

/** One node of an `EXPLAIN (FORMAT JSON)` plan (the fields we read). */
export interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  Alias?: string;
  'Index Name'?: string;
  'Parallel Aware'?: boolean;
  'Plan Rows': number;
  'Total Cost': number;
  'Actual Rows'?: number;
  'Actual Loops'?: number;
  'Actual Total Time'?: number;
  'Rows Removed by Filter'?: number;
  'Rows Removed by Join Filter'?: number;
  Filter?: string;
  'Index Cond'?: string;
  'Hash Cond'?: string;
  'Merge Cond'?: string;
  'Join Filter'?: string;
  'Sort Key'?: string[];
  'Sort Method'?: string;
  'Sort Space Type'?: string;
  'Sort Space Used'?: number;
  'Hash Batches'?: number;
  'Original Hash Batches'?: number;
  'Peak Memory Usage'?: number;
  'Parent Relationship'?: string;
  'Shared Hit Blocks'?: number;
  'Shared Read Blocks'?: number;
  'Temp Written Blocks'?: number;
  Plans?: PlanNode[];
}

/** The result of `EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON)`. */
export interface ExplainResult {
  Plan: PlanNode;
  'Planning Time'?: number;
  'Execution Time'?: number;
}
