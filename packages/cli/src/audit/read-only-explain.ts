import type pg from 'pg';
import type { AuditQuery, ExplainResult } from './types.js';

/** SQLSTATE of a write attempted in a read-only transaction. */
export const READ_ONLY_VIOLATION = '25006';

/**
 * Explains one query — with `analyze`, runs it — inside a `READ ONLY`
 * transaction that is always rolled back, under a statement timeout. The
 * EXPLAIN goes through the extended protocol, whose prepared statement holds
 * exactly one command: text such as `SELECT 1; COMMIT; DELETE FROM leads`
 * fails to prepare instead of committing anything, and a write that reaches
 * the executor fails with {@link READ_ONLY_VIOLATION}.
 *
 * @example
 * const plan = await explainReadOnly(client, { name: 'q', sql: 'SELECT 1', parameters: [] }, { analyze: true, timeoutMs: 30_000 });
 * plan['Execution Time']
 */
export async function explainReadOnly(
  client: pg.ClientBase,
  query: AuditQuery,
  options: { analyze: boolean; timeoutMs: number },
): Promise<ExplainResult> {
  await client.query('BEGIN READ ONLY');
  try {
    await client.query(`SET LOCAL statement_timeout = ${Math.max(1, Math.round(options.timeoutMs))}`);
    const explain: pg.QueryConfig & { queryMode: 'extended' } = {
      text: `EXPLAIN (${options.analyze ? 'ANALYZE, BUFFERS, ' : ''}FORMAT JSON) ${query.sql}`,
      values: [...query.parameters],
      queryMode: 'extended',
    };
    const res = await client.query(explain);
    const plan = (res.rows[0]?.['QUERY PLAN'] as ExplainResult[] | undefined)?.[0];
    if (!plan) throw new Error('EXPLAIN returned no plan');
    return plan;
  } finally {
    await client.query('ROLLBACK');
  }
}
