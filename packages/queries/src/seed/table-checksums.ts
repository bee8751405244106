import { type Kysely, sql } from 'kysely';
import type { Database } from '../schema/database.js';

const TABLES = ['users', 'agents', 'calls', 'leads', 'agent_analytics'] as const;

export type TableChecksums = Record<(typeof TABLES)[number], { rows: number; checksum: string }>;

/**
 * Row count and an order-independent checksum (sum of 60-bit row hashes) per
 * platform table, to show two seeds produced identical data.
 *
 * @example
 * expect(await tableChecksums(a)).toEqual(await tableChecksums(b));
 */
export async function tableChecksums(db: Kysely<Database>): Promise<TableChecksums> {
  const entries = await Promise.all(
    TABLES.map(async (table) => {
      const result = await sql<{ rows: number; checksum: string | null }>`
        SELECT count(*) AS rows, sum(('x' || left(md5(t::text), 15))::bit(60)::bigint)::text AS checksum
        FROM ${sql.table(table)} t`.execute(db);
      const row = result.rows[0];
      return [table, { rows: row?.rows ?? 0, checksum: row?.checksum ?? '0' }] as const;
    }),
  );
  return Object.fromEntries(entries) as TableChecksums;
}
