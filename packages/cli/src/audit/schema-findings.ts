import type { AuditFinding } from './report-schema.js';
import type { IndexInfo, SchemaSnapshot } from './schema-snapshot.js';

const startsWith = (columns: Array<string | null>, prefix: Array<string | null>) =>
  prefix.length <= columns.length && prefix.every((c, i) => c !== null && columns[i] === c);

/**
 * Whether an index serves lookups of a foreign key: its first column is one
 * of the key's columns (a composite key such as `(agent_id, user_id)` is
 * found through `agent_id` alone, the rest filtered from a few rows).
 */
export function indexServesForeignKey(index: IndexInfo, columns: string[]): boolean {
  const first = index.columns[0];
  return index.valid && first !== null && first !== undefined && columns.includes(first);
}

/**
 * An index counts as unused only once its table has served this many scans
 * without it: a table nobody has queried yet has no evidence either way.
 * The scans count since statistics were last reset, so they may predate an
 * index built since.
 */
export const UNUSED_MIN_TABLE_SCANS = 1000;

/**
 * Checks a schema for foreign keys without an index, duplicate and
 * overlapping indexes, unused indexes, INVALID indexes and tables never
 * analyzed. Indexes in `declaredIndexes` (the index engine's) are never
 * called unused.
 *
 * @example
 * schemaFindings(await readSchemaSnapshot(client, 'public'), { largeTableRows: 10_000, declaredIndexes })
 * // [{ kind: 'fk_without_index', table: 'calls', detail: { columns: ['agent_id'] } …]
 */
export function schemaFindings(
  snapshot: SchemaSnapshot,
  options: { largeTableRows: number; declaredIndexes?: ReadonlyArray<{ name: string; table: string }> },
): AuditFinding[] {
  const findings: AuditFinding[] = [];
  const rowsOf = (table: string) => snapshot.tables.find((t) => t.name === table)?.rows ?? 0;
  const indexesOf = (table: string) => snapshot.indexes.filter((i) => i.table === table);
  // The table's scans may all predate an index built a minute ago: PostgreSQL records neither when
  // an index was built nor when a table's counters were reset. The engine's own indexes, each
  // declared with what it serves, idx_scan misjudges later too: some serve what it rarely sees (a
  // foreign-key cascade, a dirty set empty between rollups), and `indexes apply` rebuilds a dropped one.
  const declared = (index: IndexInfo) =>
    options.declaredIndexes?.some((d) => d.name === index.name && d.table === index.table) ?? false;

  for (const fk of snapshot.foreignKeys) {
    if (indexesOf(fk.table).some((i) => indexServesForeignKey(i, fk.columns))) continue;
    const rows = rowsOf(fk.table);
    findings.push({
      kind: 'fk_without_index',
      severity: rows >= options.largeTableRows ? 'high' : 'medium',
      table: fk.table,
      message: `foreign key ${fk.name} (${fk.table}.${fk.columns.join(', ')} → ${fk.references}) has no index: joins and deletes on ${fk.references} scan ${fk.table}`,
      detail: {
        constraint: fk.name,
        columns: fk.columns,
        references: fk.references,
        tableRows: Math.max(0, Math.round(rows)),
      },
    });
  }

  for (const table of snapshot.tables) {
    const btrees = indexesOf(table.name).filter(
      (i) => i.method === 'btree' && !i.partial && i.columns.every((c) => c !== null),
    );
    for (const a of btrees) {
      for (const b of btrees) {
        if (a === b) continue;
        const same =
          a.columns.length === b.columns.length &&
          startsWith(b.columns, a.columns) &&
          a.include.join() === b.include.join();
        // A prefix index is redundant only when the longer one also carries everything it includes.
        const carried = a.include.every((c) => b.columns.includes(c) || b.include.includes(c));
        if (same && a.name < b.name && !(a.unique && b.unique)) {
          const drop = a.unique || a.primary ? b : a;
          findings.push({
            kind: 'duplicate_index',
            severity: 'medium',
            table: table.name,
            index: drop.name,
            message: `${a.name} and ${b.name} index the same columns (${a.columns.join(', ')}) of ${table.name}: drop ${drop.name}`,
            detail: { indexes: [a.name, b.name], columns: a.columns as string[], sizeBytes: drop.sizeBytes },
          });
        } else if (
          a.columns.length < b.columns.length &&
          startsWith(b.columns, a.columns) &&
          carried &&
          !a.unique &&
          !a.primary
        ) {
          findings.push({
            kind: 'overlapping_index',
            severity: 'low',
            table: table.name,
            index: a.name,
            message: `${a.name} (${a.columns.join(', ')}) is a prefix of ${b.name} (${b.columns.join(', ')}), which serves the same lookups`,
            detail: { index: a.name, coveredBy: b.name, sizeBytes: a.sizeBytes },
          });
        }
      }
    }
  }

  for (const index of snapshot.indexes) {
    if (!index.valid) {
      findings.push({
        kind: 'invalid_index',
        severity: 'high',
        table: index.table,
        index: index.name,
        message: `${index.name} on ${index.table} is INVALID (a failed CREATE INDEX CONCURRENTLY): it costs writes and serves no reads; rebuild it (perf-cli indexes apply) or drop it`,
        detail: { definition: index.definition },
      });
    } else if (
      index.scans === 0 &&
      !index.unique &&
      !index.primary &&
      (snapshot.tables.find((t) => t.name === index.table)?.scans ?? 0) >= UNUSED_MIN_TABLE_SCANS &&
      !declared(index)
    ) {
      findings.push({
        kind: 'unused_index',
        severity: 'low',
        table: index.table,
        index: index.name,
        message: `${index.name} on ${index.table} has not been used in ${(snapshot.tables.find((t) => t.name === index.table)?.scans ?? 0).toLocaleString('en')} scans of its table since statistics were last reset (${index.sizeBytes.toLocaleString('en')} bytes)`,
        detail: { sizeBytes: index.sizeBytes, definition: index.definition },
      });
    }
  }

  for (const table of snapshot.tables) {
    if (!table.analyzed && table.rows !== 0) {
      findings.push({
        kind: 'table_never_analyzed',
        // A few pages misestimated cost little; a big table planned blind costs a lot.
        severity: table.sizeBytes >= 8 * 1024 * 1024 ? 'medium' : 'info',
        table: table.name,
        message: `${table.name} has never been analyzed: the planner guesses its row counts (run ANALYZE ${table.name})`,
        detail: { estimatedRows: table.rows },
      });
    }
  }
  return findings;
}
