import type pg from 'pg';

/** A table of the audited schema. */
export interface TableInfo {
  name: string;
  /** The planner's row estimate (`pg_class.reltuples`); -1 when never analyzed or vacuumed. */
  rows: number;
  columns: string[];
  analyzed: boolean;
  sizeBytes: number;
  /** Sequential plus index scans since statistics were reset. */
  scans: number;
}

/** An index of the audited schema. */
export interface IndexInfo {
  name: string;
  table: string;
  /** Key columns in order; null for an expression column. */
  columns: Array<string | null>;
  /** Non-key `INCLUDE` columns. */
  include: string[];
  unique: boolean;
  primary: boolean;
  partial: boolean;
  valid: boolean;
  method: string;
  scans: number;
  sizeBytes: number;
  definition: string;
}

/** A foreign key of the audited schema. */
export interface ForeignKeyInfo {
  name: string;
  table: string;
  columns: string[];
  references: string;
}

/** What the audit needs to know about a schema, read once. */
export interface SchemaSnapshot {
  schema: string;
  tables: TableInfo[];
  indexes: IndexInfo[];
  foreignKeys: ForeignKeyInfo[];
}

/**
 * Reads tables (row estimates, columns, analyze state), indexes (columns,
 * validity, scans, size) and foreign keys of one schema from the catalogs.
 *
 * @example
 * const snapshot = await readSchemaSnapshot(client, 'public');
 */
export async function readSchemaSnapshot(client: pg.ClientBase, schema: string): Promise<SchemaSnapshot> {
  const tables = await client.query<Omit<TableInfo, 'sizeBytes' | 'scans'> & { size: string; scans: string }>(
    `SELECT c.relname AS name, c.reltuples::float8 AS rows,
            array(SELECT a.attname::text FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum) AS columns,
            (s.last_analyze IS NOT NULL OR s.last_autoanalyze IS NOT NULL) AS analyzed,
            pg_total_relation_size(c.oid)::text AS size,
            (coalesce(s.seq_scan, 0) + coalesce(s.idx_scan, 0))::text AS scans
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       LEFT JOIN pg_stat_all_tables s ON s.relid = c.oid
      WHERE n.nspname = $1 AND c.relkind IN ('r', 'p')
      ORDER BY c.relname`,
    [schema],
  );
  const indexes = await client.query<
    Omit<IndexInfo, 'scans' | 'sizeBytes'> & { scans: string; size: string }
  >(
    `SELECT ic.relname AS name, tc.relname AS "table",
            array(SELECT a.attname::text FROM unnest(string_to_array(i.indkey::text, ' ')::int2[]) WITH ORDINALITY AS k(attnum, ord)
                    LEFT JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum AND k.attnum > 0
                   WHERE k.ord <= i.indnkeyatts ORDER BY k.ord) AS columns,
            array(SELECT a.attname::text FROM unnest(string_to_array(i.indkey::text, ' ')::int2[]) WITH ORDINALITY AS k(attnum, ord)
                    JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
                   WHERE k.ord > i.indnkeyatts ORDER BY k.ord) AS include,
            i.indisunique AS unique, i.indisprimary AS primary, i.indpred IS NOT NULL AS partial, i.indisvalid AS valid,
            am.amname AS method, coalesce(s.idx_scan, 0)::text AS scans, pg_relation_size(i.indexrelid)::text AS size,
            pg_get_indexdef(i.indexrelid) AS definition
       FROM pg_index i
       JOIN pg_class ic ON ic.oid = i.indexrelid
       JOIN pg_class tc ON tc.oid = i.indrelid
       JOIN pg_namespace n ON n.oid = tc.relnamespace
       JOIN pg_am am ON am.oid = ic.relam
       LEFT JOIN pg_stat_all_indexes s ON s.indexrelid = i.indexrelid
      WHERE n.nspname = $1
      ORDER BY tc.relname, ic.relname`,
    [schema],
  );
  const fks = await client.query<ForeignKeyInfo>(
    `SELECT con.conname AS name, tc.relname AS "table", rc.relname AS "references",
            array(SELECT a.attname::text FROM unnest(con.conkey) WITH ORDINALITY AS k(attnum, ord)
                    JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum ORDER BY k.ord) AS columns
       FROM pg_constraint con
       JOIN pg_class tc ON tc.oid = con.conrelid
       JOIN pg_class rc ON rc.oid = con.confrelid
       JOIN pg_namespace n ON n.oid = tc.relnamespace
      WHERE con.contype = 'f' AND n.nspname = $1
      ORDER BY tc.relname, con.conname`,
    [schema],
  );
  return {
    schema,
    tables: tables.rows.map((t) => ({
      name: t.name,
      rows: t.rows,
      columns: t.columns,
      analyzed: t.analyzed,
      sizeBytes: Number(t.size),
      scans: Number(t.scans),
    })),
    indexes: indexes.rows.map((i) => ({
      name: i.name,
      table: i.table,
      columns: i.columns,
      include: i.include,
      unique: i.unique,
      primary: i.primary,
      partial: i.partial,
      valid: i.valid,
      method: i.method,
      scans: Number(i.scans),
      sizeBytes: Number(i.size),
      definition: i.definition,
    })),
    foreignKeys: fks.rows,
  };
}
