import { type AuditReport, SEVERITIES } from '../audit/report-schema.js';
import { ms, renderTable } from './table.js';

/**
 * Renders an audit: findings grouped by severity, index suggestions, the
 * queries' timings and the top statements.
 *
 * @example
 * io.stdout.write(formatAuditTable(await runAudit(options)));
 */
export function formatAuditTable(report: AuditReport): string {
  const lines: string[] = [
    `audit of schema ${report.database.schema} (PostgreSQL ${report.database.serverVersion}): ${report.queries.length} queries; findings: ${SEVERITIES.map((s) => `${report.summary[s]} ${s}`).join(', ')}`,
  ];
  for (const severity of SEVERITIES) {
    const group = report.findings.filter((f) => f.severity === severity);
    if (group.length === 0) continue;
    lines.push(`\n${severity.toUpperCase()} (${group.length})`);
    lines.push(
      renderTable(
        ['kind', 'query', 'table', 'finding'],
        group.map((f) => [f.kind, f.query ?? '', f.table ?? '', f.message]),
      ),
    );
  }
  if (report.suggestions.length > 0) {
    lines.push('\nindex suggestions');
    lines.push(
      renderTable(
        ['status', 'cost before → after', 'sql', 'queries'],
        report.suggestions.map((s) => [
          s.status,
          s.costBefore === null ? '' : `${s.costBefore.toFixed(0)} → ${s.costAfter?.toFixed(0)}`,
          s.sql,
          s.queries.join(', '),
        ]),
      ),
    );
  }
  lines.push('\nqueries');
  lines.push(
    renderTable(
      ['query', 'execution ms', 'planning ms', 'buffers hit/read', 'error'],
      report.queries.map((q) => [
        q.name,
        q.executionMs === null ? '' : ms(q.executionMs),
        q.planningMs === null ? '' : ms(q.planningMs),
        q.sharedHitBlocks === null ? '' : `${q.sharedHitBlocks}/${q.sharedReadBlocks}`,
        q.error ?? '',
      ]),
    ),
  );
  if (report.topQueries && report.topQueries.length > 0) {
    lines.push('\ntop statements (pg_stat_statements)');
    lines.push(
      renderTable(
        ['total ms', 'calls', 'mean ms', 'query'],
        report.topQueries.map((t) => [
          ms(t.totalMs),
          t.calls,
          ms(t.meanMs),
          t.query.replace(/\s+/g, ' ').slice(0, 100),
        ]),
      ),
    );
  }
  for (const note of report.notes) lines.push(`note: ${note}`);
  return `${lines.join('\n')}\n`;
}
