import type pg from 'pg';
import type { IndexDefinition } from './declared-indexes.js';

// One identifier as pg_get_indexdef prints it: plain, or double-quoted with "" inside.
const IDENT = String.raw`(?:"(?:[^"]|"")*"|[^\s."]+)`;
const INDEX_DEF = new RegExp(
  String.raw`^CREATE (UNIQUE )?INDEX ${IDENT} ON (?:ONLY )?${IDENT}(?:\.${IDENT})? (.+)$`,
  's',
);

/**
 * An index as `pg_get_indexdef` prints it, without its name and table, so that
 * two indexes built alike compare equal wherever they live:
 * `UNIQUE USING btree (lower(email))`, `USING btree (call_id) WHERE (call_id IS NOT NULL)`.
 * Throws on text that is not an index definition.
 */
export function normaliseIndexDef(indexDef: string): string {
  const match = INDEX_DEF.exec(indexDef);
  if (!match) throw new Error(`not an index definition: ${indexDef}`);
  return `${match[1] ?? ''}${match[2]}`;
}

/**
 * How PostgreSQL prints the declared index, normalised: the index is built on
 * an empty temporary copy of its table (same column types and collations, so
 * casts print alike) inside a transaction that is rolled back. Catalog work
 * only; the real table is only share-locked for the `LIKE`.
 */
export async function declaredIndexDef(client: pg.ClientBase, index: IndexDefinition): Promise<string> {
  await client.query('BEGIN');
  try {
    await client.query(`CREATE TEMP TABLE perfkit_index_probe (LIKE ${index.table})`);
    await client.query(
      `CREATE INDEX perfkit_index_probe_idx ON pg_temp.perfkit_index_probe ${index.definition}`,
    );
    const { rows } = await client.query<{ def: string }>(
      `SELECT pg_get_indexdef('pg_temp.perfkit_index_probe_idx'::regclass) AS def`,
    );
    return normaliseIndexDef(rows[0]?.def ?? '');
  } finally {
    await client.query('ROLLBACK');
  }
}
