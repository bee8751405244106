import type pg from 'pg';
import type { TopStatement } from './report-schema.js';

/**
 * The statements with the most total execution time, or null when
 * pg_stat_statements is installed but not loaded.
 *
 * @example
 * await topStatements(client, 10) // [{ query: 'SELECT …', calls: 1200, totalMs: 5400, … }]
 */
export async function topStatements(client: pg.ClientBase, limit: number): Promise<TopStatement[] | null> {
  try {
    const res = await client.query<{
      query: string;
      calls: string;
      total: number;
      mean: number;
      rows: string;
      reads: string;
    }>(
      `SELECT query, calls::text, total_exec_time AS total, mean_exec_time AS mean, rows::text, shared_blks_read::text AS reads
         FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
        ORDER BY total_exec_time DESC LIMIT $1`,
      [limit],
    );
    return res.rows.map((r) => ({
      query: r.query,
      calls: Number(r.calls),
      totalMs: r.total,
      meanMs: r.mean,
      rows: Number(r.rows),
      sharedReadBlocks: Number(r.reads),
    }));
  } catch {
    return null;
  }
}
