import type { IndexPlanStep, IndexResult, IndexState } from '@perfkit/queries/admin';
import { ms, renderTable } from './table.js';

/**
 * The SQL `indexes apply` would run, one statement per line, each index's reason as a comment.
 *
 * @example
 * io.stdout.write(formatIndexPlan(await planIndexes(url)));
 */
export function formatIndexPlan(steps: IndexPlanStep[]): string {
  return `${steps
    .map((s) =>
      s.action === 'skip'
        ? `-- ${s.name} on ${s.table}: exists and is valid, skipped`
        : `-- ${s.name} on ${s.table} (${s.action}): ${s.why}\n${s.sql.map((q) => `${q};`).join('\n')}`,
    )
    .join('\n\n')}\n`;
}

/** Each index as created, existing, rebuilt or failed, with its build time. */
export function formatIndexResults(results: IndexResult[]): string {
  const rows = results.map((r) => [r.name, r.table, r.status, ms(r.durationMs), r.error ?? '']);
  const failed = results.filter((r) => r.status === 'failed').length;
  return `${renderTable(['index', 'table', 'status', 'ms', 'error'], rows)}\n${results.length - failed} of ${results.length} indexes in place${failed ? `, ${failed} failed` : ''}\n`;
}

/** Validity and size of each declared index. */
export function formatIndexStatus(states: IndexState[]): string {
  const rows = states.map((s) => [
    s.name,
    s.table,
    s.exists ? 'yes' : 'no',
    s.exists ? (s.valid ? 'valid' : 'INVALID') : '',
    s.exists ? `${(s.sizeBytes / 1024 / 1024).toFixed(2)} MB` : '',
  ]);
  return `${renderTable(['index', 'table', 'exists', 'validity', 'size'], rows)}\n`;
}
