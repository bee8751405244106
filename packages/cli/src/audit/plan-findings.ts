import { withDefaults } from '@perfkit/primitives';
import { neverExecuted, totalRows, walkPlan } from './plan-walk.js';
import type { AuditFinding } from './report-schema.js';
import type { ExplainResult } from './types.js';

/** Limits of the plan checks. Defaults are in {@link PLAN_CHECK_DEFAULTS}. */
export interface PlanCheckOptions {
  /** A table with at least this many rows is large: scanning it sequentially is a finding. Default: 10 000. */
  largeTableRows?: number;
  /** Estimated vs actual rows off by this factor or more is a misestimate. Default: 10. */
  misestimateFactor?: number;
  /** Misestimates where both sides are below this are ignored. Default: 100. */
  misestimateMinRows?: number;
  /** A filter discarding at least this share of the rows it reads is a finding. Default: 0.9. */
  discardRatio?: number;
  /** …if it discards at least this many rows. Default: 1000. */
  discardMinRows?: number;
  /** A nested loop whose inner side runs this many times or more is a finding. Default: 1000. */
  nestedLoopMaxLoops?: number;
}

/** Defaults of {@link PlanCheckOptions}. */
export const PLAN_CHECK_DEFAULTS: Required<PlanCheckOptions> = {
  largeTableRows: 10_000,
  misestimateFactor: 10,
  misestimateMinRows: 100,
  discardRatio: 0.9,
  discardMinRows: 1000,
  nestedLoopMaxLoops: 1000,
};

/**
 * Checks an analyzed plan for sequential scans of large tables, row
 * misestimates, filters that discard most rows, sorts and hashes spilling
 * to disk, and nested loops with many inner loops. A sequential scan that
 * never executed (its branch got no rows) is reported low, saying so.
 *
 * @example
 * planFindings('overview-counts', explain, new Map([['calls', 250_000]]))
 * // [{ kind: 'seq_scan_large_table', severity: 'high', table: 'calls', … }]
 */
export function planFindings(
  query: string,
  explain: ExplainResult,
  tableRows: Map<string, number>,
  options: PlanCheckOptions = {},
): AuditFinding[] {
  const o = withDefaults(PLAN_CHECK_DEFAULTS, options);
  const findings: AuditFinding[] = [];
  for (const { node, ancestors } of walkPlan(explain.Plan)) {
    const type = node['Node Type'];
    const table = node['Relation Name'];
    const removed = (node['Rows Removed by Filter'] ?? 0) * (node['Actual Loops'] ?? 1);
    const produced = totalRows(node);
    const read = removed + produced;

    if (type === 'Seq Scan' && table) {
      const rows = tableRows.get(table) ?? read;
      if (rows >= o.largeTableRows) {
        const selective = node.Filter !== undefined && read > 0 && removed / read >= o.discardRatio;
        // A branch that got no rows (a join over an empty table) never ran its scan: it cost
        // nothing in this run, but runs whenever that branch has rows, so it is kept, labelled, low.
        const idle = neverExecuted(node);
        const verdict = idle
          ? ': never executed in this run (its plan branch got no rows), so it cost nothing here; it runs whenever that branch has rows'
          : selective
            ? ': an index on the filter columns would read a fraction'
            : '';
        findings.push({
          kind: 'seq_scan_large_table',
          severity: idle ? 'low' : selective ? 'high' : 'medium',
          query,
          table,
          message: `sequential scan of ${table} (${Math.round(rows).toLocaleString('en')} rows)${node.Filter ? ` filtering ${node.Filter}` : ''}${verdict}`,
          detail: {
            tableRows: Math.round(rows),
            rowsRead: read,
            rowsReturned: produced,
            filter: node.Filter ?? null,
            parallel: node['Parallel Aware'] ?? false,
            executed: node['Actual Loops'] === undefined ? null : !idle,
          },
        });
      }
    }

    if (
      node.Filter &&
      removed >= o.discardMinRows &&
      read > 0 &&
      removed / read >= o.discardRatio &&
      type !== 'Seq Scan'
    ) {
      findings.push({
        kind: 'filter_discards_rows',
        severity: 'medium',
        query,
        ...(table ? { table } : {}),
        message: `${type}${table ? ` on ${table}` : ''} reads ${read.toLocaleString('en')} rows and its filter ${node.Filter} discards ${((100 * removed) / read).toFixed(1)}%`,
        detail: { nodeType: type, rowsRead: read, rowsRemoved: removed, filter: node.Filter },
      });
    }

    // Under a Limit, nodes stop early by design: fewer rows than estimated is not a misestimate.
    const cutShort = ancestors.some((a) => a['Node Type'] === 'Limit');
    if (node['Actual Rows'] !== undefined && !neverExecuted(node) && !cutShort) {
      const estimated = node['Plan Rows'];
      const actual = node['Actual Rows'];
      const ratio = Math.max(estimated, 1) / Math.max(actual, 1);
      if (
        Math.max(estimated, actual) >= o.misestimateMinRows &&
        (ratio >= o.misestimateFactor || 1 / ratio >= o.misestimateFactor)
      ) {
        findings.push({
          kind: 'row_misestimate',
          severity: 'medium',
          query,
          ...(table ? { table } : {}),
          message: `${type}${table ? ` on ${table}` : ''}: planner estimated ${estimated.toLocaleString('en')} rows, got ${actual.toLocaleString('en')} (${ratio >= 1 ? `${ratio.toFixed(0)}× over` : `${(1 / ratio).toFixed(0)}× under`}); stale statistics or correlated columns`,
          detail: { nodeType: type, estimatedRows: estimated, actualRows: actual },
        });
      }
    }

    if (
      type === 'Sort' &&
      (node['Sort Space Type'] === 'Disk' || /external/i.test(node['Sort Method'] ?? ''))
    ) {
      findings.push({
        kind: 'sort_spill',
        severity: 'medium',
        query,
        message: `sort on ${(node['Sort Key'] ?? []).join(', ')} spilled to disk (${node['Sort Method']}, ${node['Sort Space Used'] ?? '?'} kB): raise work_mem or sort fewer rows`,
        detail: {
          sortKey: node['Sort Key'] ?? [],
          method: node['Sort Method'] ?? null,
          spaceKb: node['Sort Space Used'] ?? null,
        },
      });
    }

    if (type === 'Hash' && ((node['Hash Batches'] ?? 1) > 1 || (node['Original Hash Batches'] ?? 1) > 1)) {
      findings.push({
        kind: 'hash_spill',
        severity: 'medium',
        query,
        message: `hash table split into ${node['Hash Batches']} batches (spilled to disk, peak ${node['Peak Memory Usage'] ?? '?'} kB): raise work_mem or hash fewer rows`,
        detail: {
          batches: node['Hash Batches'] ?? null,
          originalBatches: node['Original Hash Batches'] ?? null,
        },
      });
    }

    if (type === 'Nested Loop') {
      const inner = node.Plans?.find((p) => p['Parent Relationship'] === 'Inner');
      const loops = inner?.['Actual Loops'] ?? 0;
      if (inner && loops >= o.nestedLoopMaxLoops) {
        findings.push({
          kind: 'nested_loop_many_loops',
          severity: inner['Node Type'] === 'Seq Scan' ? 'high' : 'low',
          query,
          ...(inner['Relation Name'] ? { table: inner['Relation Name'] } : {}),
          message: `nested loop runs its inner ${inner['Node Type']}${inner['Relation Name'] ? ` on ${inner['Relation Name']}` : ''} ${loops.toLocaleString('en')} times: an N+1 in SQL; a hash join or batched query usually wins`,
          detail: { innerNodeType: inner['Node Type'], innerLoops: loops },
        });
      }
    }
  }
  return findings;
}
