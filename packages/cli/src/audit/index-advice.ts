import type pg from 'pg';
import { walkPlan } from './plan-walk.js';
import { explainReadOnly } from './read-only-explain.js';
import type { IndexSuggestion } from './report-schema.js';
import type { SchemaSnapshot } from './schema-snapshot.js';
import type { AuditQuery, ExplainResult, PlanNode } from './types.js';

const PREDICATE =
  /(?:\b([a-z_][a-z0-9_]*)\.)?\b([a-z_][a-z0-9_]*)\)?(?:::[a-z0-9_ ]+?)?\)?\s*(<=|>=|<>|!=|=|<|>)/gi;

/** Columns of `alias` used with equality and with ranges in a plan expression. */
function predicateColumns(expr: string | undefined, alias: string, columns: string[]) {
  const equality: string[] = [];
  const range: string[] = [];
  for (const m of expr?.matchAll(PREDICATE) ?? []) {
    const [, qualifier, column, op] = m;
    if (!column || !columns.includes(column) || (qualifier && qualifier !== alias)) continue;
    if (op === '=') equality.push(column);
    else if (op !== '<>' && op !== '!=') range.push(column);
  }
  return { equality, range };
}

/** The first column of an ORDER BY key that belongs to `alias`. */
function sortColumn(keys: string[] | undefined, alias: string, columns: string[]): string | undefined {
  for (const key of keys ?? []) {
    const m = /^(?:([a-z_][a-z0-9_]*)\.)?([a-z_][a-z0-9_]*)/i.exec(key.trim());
    if (m?.[2] && columns.includes(m[2]) && (!m[1] || m[1] === alias)) return m[2];
  }
  return undefined;
}

const JOIN_CONDITIONS = ['Hash Cond', 'Merge Cond', 'Join Filter'] as const;

/**
 * Proposes indexes from an analyzed plan: for each sequential scan of a
 * large table, its filter's equality columns, then the join columns an
 * enclosing join matches on, then one range or ORDER BY column — the order
 * a B-tree serves best. Skips what an existing index already leads with.
 *
 * @example
 * suggestIndexes('recent-activity', explain, snapshot, 10_000)
 * // [{ table: 'calls', columns: ['user_id', 'created_at'], sql: 'CREATE INDEX CONCURRENTLY … ON calls (user_id, created_at)', … }]
 */
export function suggestIndexes(
  query: string,
  explain: ExplainResult,
  snapshot: SchemaSnapshot,
  largeTableRows: number,
): IndexSuggestion[] {
  const out: IndexSuggestion[] = [];
  for (const { node, ancestors } of walkPlan(explain.Plan)) {
    const tableName = node['Relation Name'];
    if (node['Node Type'] !== 'Seq Scan' || !tableName) continue;
    const table = snapshot.tables.find((t) => t.name === tableName);
    if (!table || table.rows < largeTableRows) continue;
    const alias = node.Alias ?? tableName;
    const filter = predicateColumns(node.Filter, alias, table.columns);
    const join = ancestors.find((a: PlanNode) => JOIN_CONDITIONS.some((k) => a[k]));
    const joined = join
      ? JOIN_CONDITIONS.flatMap((k) => predicateColumns(join[k], alias, table.columns).equality)
      : [];
    const sort = sortColumn(ancestors.find((a) => a['Sort Key'])?.['Sort Key'], alias, table.columns);
    const columns = [
      ...new Set([
        ...filter.equality,
        ...joined,
        ...(filter.range[0] ? [filter.range[0]] : sort ? [sort] : []),
      ]),
    ].slice(0, 3);
    if (columns.length === 0) continue;
    const covered = snapshot.indexes.some(
      (i) => i.table === tableName && i.valid && columns.every((c, k) => i.columns[k] === c),
    );
    if (covered) continue;
    const reasons = [
      filter.equality.length ? `filter ${node.Filter}` : '',
      joined.length ? `join on ${joined.join(', ')}` : '',
      sort && !filter.range.length ? `order by ${sort}` : '',
      filter.range.length ? `range on ${filter.range[0]}` : '',
    ].filter(Boolean);
    const existing = out.find((s) => s.table === tableName && s.columns.join() === columns.join());
    if (existing) continue;
    out.push({
      table: tableName,
      columns,
      sql: `CREATE INDEX CONCURRENTLY ${indexName(tableName, columns)} ON ${tableName} (${columns.join(', ')})`,
      reason: `sequential scan of ${tableName} (${Math.round(table.rows).toLocaleString('en')} rows): ${reasons.join('; ')}`,
      queries: [query],
      status: 'unverified',
      costBefore: null,
      costAfter: null,
    });
  }
  return out;
}

/** A deterministic index name within PostgreSQL's 63-byte limit. */
export function indexName(table: string, columns: string[]): string {
  return `${table}_${columns.join('_')}_idx`.slice(0, 63);
}

/**
 * Merges suggestions made by several queries: the same table and columns
 * once, and a suggestion whose columns lead a longer one folded into it
 * (one index on (agent_id, created_at) also serves lookups by agent_id).
 */
export function mergeSuggestions(suggestions: IndexSuggestion[]): IndexSuggestion[] {
  const byLength = [...suggestions].sort((a, b) => b.columns.length - a.columns.length);
  const merged: IndexSuggestion[] = [];
  for (const s of byLength) {
    const into = merged.find((m) => m.table === s.table && s.columns.every((c, k) => m.columns[k] === c));
    if (into) into.queries = [...new Set([...into.queries, ...s.queries])];
    else merged.push({ ...s, queries: [...s.queries] });
  }
  return merged;
}

async function planCost(client: pg.ClientBase, query: AuditQuery, timeoutMs: number): Promise<number> {
  const plan = await explainReadOnly(client, query, { analyze: false, timeoutMs });
  return plan.Plan['Total Cost'];
}

/**
 * Verifies suggestions with HypoPG: the planner's cost of each suggesting
 * query without and with a hypothetical index (nothing is built). A
 * suggestion is `verified` when the cost falls by at least 10 %.
 *
 * @example
 * await verifyWithHypopg(client, suggestions, queries, 30_000) // statuses become 'verified' or 'no-gain'
 */
export async function verifyWithHypopg(
  client: pg.ClientBase,
  suggestions: IndexSuggestion[],
  queries: AuditQuery[],
  timeoutMs: number,
): Promise<void> {
  for (const suggestion of suggestions) {
    const query = queries.find((q) => q.name === suggestion.queries[0]);
    if (!query) continue;
    try {
      const before = await planCost(client, query, timeoutMs);
      await client.query('SELECT * FROM hypopg_create_index($1)', [
        `CREATE INDEX ON ${suggestion.table} (${suggestion.columns.join(', ')})`,
      ]);
      const after = await planCost(client, query, timeoutMs);
      suggestion.costBefore = before;
      suggestion.costAfter = after;
      suggestion.status = after <= before * 0.9 ? 'verified' : 'no-gain';
    } finally {
      await client.query('SELECT hypopg_reset()');
    }
  }
}
