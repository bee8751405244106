import { type Kysely, type RawBuilder, sql } from 'kysely';
import type { Database } from '../schema/database.js';

/** The additive metrics of one agent's day, as `agent_analytics` stores them. */
export interface DailyMetrics {
  callsTotal: number;
  callsCompleted: number;
  callsFailed: number;
  durationCompletedSeconds: number;
  costCents: number;
  leadsTotal: number;
  leadsQualified: number;
  leadsConverted: number;
  leadsHot: number;
  leadsWarm: number;
  leadsCold: number;
  leadsUnscored: number;
}

/** The metric columns of `agent_analytics`, in table order (`last_call_at` apart: it is a max, not a sum). */
export const METRIC_COLUMNS = [
  'calls_total',
  'calls_completed',
  'calls_failed',
  'duration_completed_seconds',
  'cost_cents',
  'leads_total',
  'leads_qualified',
  'leads_converted',
  'leads_hot',
  'leads_warm',
  'leads_cold',
  'leads_unscored',
] as const;

/** Maps snake_case metric columns to {@link DailyMetrics}. */
export const METRIC_FIELDS: ReadonlyArray<readonly [(typeof METRIC_COLUMNS)[number], keyof DailyMetrics]> = [
  ['calls_total', 'callsTotal'],
  ['calls_completed', 'callsCompleted'],
  ['calls_failed', 'callsFailed'],
  ['duration_completed_seconds', 'durationCompletedSeconds'],
  ['cost_cents', 'costCents'],
  ['leads_total', 'leadsTotal'],
  ['leads_qualified', 'leadsQualified'],
  ['leads_converted', 'leadsConverted'],
  ['leads_hot', 'leadsHot'],
  ['leads_warm', 'leadsWarm'],
  ['leads_cold', 'leadsCold'],
  ['leads_unscored', 'leadsUnscored'],
];

/** All metrics zero. */
export function emptyMetrics(): DailyMetrics {
  return {
    callsTotal: 0,
    callsCompleted: 0,
    callsFailed: 0,
    durationCompletedSeconds: 0,
    costCents: 0,
    leadsTotal: 0,
    leadsQualified: 0,
    leadsConverted: 0,
    leadsHot: 0,
    leadsWarm: 0,
    leadsCold: 0,
    leadsUnscored: 0,
  };
}

/** Reads the snake_case metric columns of a result row into {@link DailyMetrics}. */
export function metricsFromRow(row: Record<string, unknown>): DailyMetrics {
  const metrics = emptyMetrics();
  for (const [column, field] of METRIC_FIELDS) metrics[field] = Number(row[column] ?? 0);
  return metrics;
}

/** Adds `b` into `a`. */
export function addMetrics(a: DailyMetrics, b: DailyMetrics): DailyMetrics {
  for (const [, field] of METRIC_FIELDS) a[field] += b[field];
  return a;
}

/** `sum(col)::bigint AS col, …` over the metric columns of `alias`. */
export function summedMetrics(alias: string): RawBuilder<unknown> {
  return sql.join(
    METRIC_COLUMNS.map((c) => sql`coalesce(sum(${sql.ref(`${alias}.${c}`)}), 0)::bigint AS ${sql.ref(c)}`),
  );
}

/** Aggregates of a day's calls over the columns of `calls` (the select list, without the keys). */
const CALL_AGGREGATES = sql`
  count(*)::int AS calls_total,
  count(*) FILTER (WHERE status = 'completed')::int AS calls_completed,
  count(*) FILTER (WHERE status = 'failed')::int AS calls_failed,
  coalesce(sum(duration_seconds) FILTER (WHERE status = 'completed'), 0)::bigint AS duration_completed_seconds,
  coalesce(sum(cost_cents), 0)::bigint AS cost_cents,
  max(created_at) AS last_call_at`;

/** Lead quality (R2.6): the CASE over `score`. */
const LEAD_QUALITY = sql`CASE WHEN score >= 80 THEN 'hot' WHEN score >= 50 THEN 'warm'
  WHEN score IS NOT NULL THEN 'cold' ELSE 'unscored' END`;

/** Aggregates of a day's leads over `status` and `quality` (see {@link LEAD_QUALITY}). */
const LEAD_AGGREGATES = sql`
  count(*)::int AS leads_total,
  count(*) FILTER (WHERE status IN ('qualified', 'converted'))::int AS leads_qualified,
  count(*) FILTER (WHERE status = 'converted')::int AS leads_converted,
  count(*) FILTER (WHERE quality = 'hot')::int AS leads_hot,
  count(*) FILTER (WHERE quality = 'warm')::int AS leads_warm,
  count(*) FILTER (WHERE quality = 'cold')::int AS leads_cold,
  count(*) FILTER (WHERE quality = 'unscored')::int AS leads_unscored`;

/** The output columns of both recomputations, in `agent_analytics` order. */
const OUTPUT_COLUMNS = ['agent_id', 'user_id', 'day', ...METRIC_COLUMNS, 'last_call_at'] as const;

/** `agent_id, user_id, day, calls_total, …, last_call_at`: the columns both recomputations yield. */
export function dailyColumnList(): RawBuilder<unknown> {
  return sql.join(OUTPUT_COLUMNS.map((c) => sql.ref(c)));
}

/**
 * One agent's day recomputed from raw rows, for each `(agent_id, user_id,
 * day)` of the relation `keys` (a CTE name). Lateral subqueries read each day
 * through the `(agent_id, created_at)` indexes of calls and leads. With
 * {@link groupedDailyMetrics}, the single definition of a day's metrics: the
 * rollup writes them, reads use them for dirty days.
 */
export function rawDailyMetrics(keys: string): RawBuilder<unknown> {
  const k = sql.ref(keys);
  const inDay = sql`agent_id = ${k}.agent_id
    AND created_at >= (${k}.day::timestamp AT TIME ZONE 'UTC')
    AND created_at < ((${k}.day + 1)::timestamp AT TIME ZONE 'UTC')`;
  return sql`
    SELECT ${k}.agent_id, ${k}.user_id, ${k}.day,
      c.calls_total, c.calls_completed, c.calls_failed, c.duration_completed_seconds, c.cost_cents,
      l.leads_total, l.leads_qualified, l.leads_converted, l.leads_hot, l.leads_warm, l.leads_cold,
      l.leads_unscored, c.last_call_at
    FROM ${k}
    CROSS JOIN LATERAL (SELECT ${CALL_AGGREGATES} FROM calls WHERE ${inDay}) c
    CROSS JOIN LATERAL (
      SELECT ${LEAD_AGGREGATES}
      FROM (SELECT status, ${LEAD_QUALITY} AS quality FROM leads WHERE ${inDay}) scored
    ) l`;
}

/**
 * Every agent-day that has rows, recomputed from raw rows with one grouped
 * scan of each table (the full rollup; needs no index).
 */
export function groupedDailyMetrics(): RawBuilder<unknown> {
  const day = sql`(created_at AT TIME ZONE 'UTC')::date`;
  return sql`
    SELECT agent_id, user_id, day,
      coalesce(c.calls_total, 0) AS calls_total, coalesce(c.calls_completed, 0) AS calls_completed,
      coalesce(c.calls_failed, 0) AS calls_failed,
      coalesce(c.duration_completed_seconds, 0) AS duration_completed_seconds,
      coalesce(c.cost_cents, 0) AS cost_cents,
      coalesce(l.leads_total, 0) AS leads_total, coalesce(l.leads_qualified, 0) AS leads_qualified,
      coalesce(l.leads_converted, 0) AS leads_converted, coalesce(l.leads_hot, 0) AS leads_hot,
      coalesce(l.leads_warm, 0) AS leads_warm, coalesce(l.leads_cold, 0) AS leads_cold,
      coalesce(l.leads_unscored, 0) AS leads_unscored, c.last_call_at
    FROM (SELECT agent_id, user_id, ${day} AS day, ${CALL_AGGREGATES} FROM calls GROUP BY 1, 2, 3) c
    FULL JOIN (
      SELECT agent_id, user_id, day, ${LEAD_AGGREGATES}
      FROM (SELECT agent_id, user_id, ${day} AS day, status, ${LEAD_QUALITY} AS quality FROM leads) scored
      GROUP BY 1, 2, 3
    ) l USING (agent_id, user_id, day)`;
}

/** Which agent-days an exact read covers. */
export interface DailyScope {
  /** The tenant; always applied, so a read never crosses tenants. */
  userId: number;
  /** First day, `YYYY-MM-DD`, inclusive. Default: all days. */
  fromDay?: string;
  /** Last day, `YYYY-MM-DD`, inclusive. Default: all days. */
  toDay?: string;
  /** Only these agents: ids, or a subquery yielding them. Default: all the tenant's agents. */
  agentIds?: readonly number[] | RawBuilder<unknown>;
}

/** `alias.user_id = … AND …`: the WHERE clause of a scope over a table with those columns. */
export function scopeFilter(alias: string, scope: DailyScope): RawBuilder<unknown> {
  const a = (column: string) => sql.ref(`${alias}.${column}`);
  const parts = [sql`${a('user_id')} = ${scope.userId}`];
  if (scope.fromDay !== undefined) parts.push(sql`${a('day')} >= ${scope.fromDay}::date`);
  if (scope.toDay !== undefined) parts.push(sql`${a('day')} <= ${scope.toDay}::date`);
  const ids = scope.agentIds;
  if (Array.isArray(ids)) parts.push(sql`${a('agent_id')} = ANY(${[...ids]}::bigint[])`);
  else if (ids !== undefined) parts.push(sql`${a('agent_id')} = ANY(ARRAY(${ids}))`);
  return sql.join(parts, sql` AND `);
}

/**
 * CTEs `dirty_keys` (the agent-days in scope changed since the rollup) and
 * `dirty_fresh` (those days recomputed from raw rows): what every exact read
 * adds to the pre-aggregates.
 */
export function dirtyDaysCtes(scope: DailyScope): RawBuilder<unknown> {
  return sql`
    dirty_keys AS MATERIALIZED (
      SELECT d.agent_id, d.user_id, d.day FROM analytics_dirty d WHERE ${scopeFilter('d', scope)}
    ),
    dirty_fresh AS MATERIALIZED (${rawDailyMetrics('dirty_keys')})`;
}

const metricsOf = (alias: string) => sql.join(METRIC_COLUMNS.map((c) => sql.ref(`${alias}.${c}`)));

/**
 * CTE `exact_daily` (after {@link dirtyDaysCtes}): one row per agent-day in
 * scope, exact at the statement's snapshot — clean days from
 * `agent_analytics`, dirty days recomputed from raw rows. Both come from one
 * snapshot, and triggers and rollup keep "not dirty ⇒ the rollup row equals
 * the raw rows" true at every commit, so the union is exact.
 */
export function exactDailyCte(scope: DailyScope): RawBuilder<unknown> {
  return sql`
    exact_daily AS (
      SELECT a.agent_id, a.user_id, a.day, ${metricsOf('a')}, a.last_call_at
      FROM agent_analytics a
      WHERE ${scopeFilter('a', scope)}
        AND NOT EXISTS (SELECT 1 FROM dirty_keys k WHERE k.agent_id = a.agent_id AND k.day = a.day)
      UNION ALL
      SELECT ${dailyColumnList()} FROM dirty_fresh
    )`;
}

/** CTEs `dirty_keys`, `dirty_fresh` and `exact_daily` (a `WITH` list without the `WITH`). */
export function exactDailyCtes(scope: DailyScope): RawBuilder<unknown> {
  return sql`${dirtyDaysCtes(scope)}, ${exactDailyCte(scope)}`;
}

/**
 * CTE `exact_tenant_daily` (after {@link dirtyDaysCtes}): rows whose sums
 * per day are the tenant's exact daily metrics, every agent summed — the
 * tenant's `tenant_daily` rows (one per day, not one per agent and day),
 * minus the rollup rows of dirty agent-days, plus those days recomputed.
 * A day may appear in several rows: group by `day`, or sum them all.
 */
export function exactTenantDailyCte(scope: Omit<DailyScope, 'agentIds'>): RawBuilder<unknown> {
  const negated = sql.join(METRIC_COLUMNS.map((c) => sql`-${sql.ref(`a.${c}`)}`));
  return sql`
    exact_tenant_daily AS (
      SELECT t.day, ${metricsOf('t')} FROM tenant_daily t WHERE ${scopeFilter('t', scope)}
      UNION ALL
      SELECT a.day, ${negated}
      FROM agent_analytics a JOIN dirty_keys k ON k.agent_id = a.agent_id AND k.day = a.day
      UNION ALL
      SELECT f.day, ${metricsOf('f')} FROM dirty_fresh f
    )`;
}

/** CTEs `dirty_keys`, `dirty_fresh` and `exact_tenant_daily` (a `WITH` list without the `WITH`). */
export function exactTenantDailyCtes(scope: Omit<DailyScope, 'agentIds'>): RawBuilder<unknown> {
  return sql`${dirtyDaysCtes(scope)}, ${exactTenantDailyCte(scope)}`;
}

/** One exact agent-day, as {@link exactDailyQuery} returns it. */
export interface ExactDailyRow extends Record<(typeof METRIC_COLUMNS)[number], number> {
  agent_id: number;
  user_id: number;
  day: string;
  last_call_at: Date | null;
  /** `true` when the day was recomputed from raw rows (it is dirty). */
  recomputed: boolean;
}

/**
 * Every agent-day in scope, exact: the building block of every read, exposed
 * for audits and tests. A dirty day whose rows are all gone shows as zeros.
 *
 * @example
 * const days = await exactDailyQuery(db, { userId: 1, fromDay: '2026-10-01' }).execute(db);
 */
export function exactDailyQuery(_db: Kysely<Database>, scope: DailyScope): RawBuilder<ExactDailyRow> {
  return sql<ExactDailyRow>`
    WITH ${exactDailyCtes(scope)}
    SELECT e.*, EXISTS (SELECT 1 FROM dirty_keys k WHERE k.agent_id = e.agent_id AND k.day = e.day) AS recomputed
    FROM exact_daily e
    ORDER BY e.day, e.agent_id`;
}
