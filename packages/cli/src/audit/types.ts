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
