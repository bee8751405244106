import { type Kysely, type RawBuilder, sql } from 'kysely';
import { prepared } from '../db/prepared-statements.js';
import type { AgentStatus, Database } from '../schema/database.js';
import {
  type DailyMetrics,
  dirtyDaysCtes,
  exactDailyCte,
  exactDailyCtes,
  exactTenantDailyCte,
  exactTenantDailyCtes,
} from './daily-metrics.js';
import { type Bucket, bucketStart, bucketStarts, checkBucket, type DayWindow } from './date-window.js';
import { type OverviewParams, type TenantDaysParams, tenantWindow } from './overview-query.js';

/** One day of a tenant's series: every agent summed. */
export interface DailySeriesRow extends Omit<DailyMetrics, 'durationCompletedSeconds' | 'costCents'> {
  day: string;
}

/** Per-day sums over the CTE `exact_tenant_daily`. */
const SERIES_SELECT = sql`
  SELECT day,
    sum(calls_total)::bigint AS "callsTotal", sum(calls_completed)::bigint AS "callsCompleted",
    sum(calls_failed)::bigint AS "callsFailed", sum(leads_total)::bigint AS "leadsTotal",
    sum(leads_qualified)::bigint AS "leadsQualified", sum(leads_converted)::bigint AS "leadsConverted",
    sum(leads_hot)::bigint AS "leadsHot", sum(leads_warm)::bigint AS "leadsWarm",
    sum(leads_cold)::bigint AS "leadsCold", sum(leads_unscored)::bigint AS "leadsUnscored"
  FROM exact_tenant_daily
  GROUP BY day`;

/**
 * A tenant's days with activity in a span, every agent summed, exact. Days
 * without rows are absent: the caller fills them (see {@link loadAnalytics}).
 * Its lead-quality columns come from the rollup's CASE over `score`.
 *
 * @example
 * const days = await dailySeriesQuery(db, { userId: 1, fromDay, toDay }).execute(db);
 */
export function dailySeriesQuery(
  _db: Kysely<Database>,
  params: TenantDaysParams,
): RawBuilder<DailySeriesRow> {
  return sql<DailySeriesRow>`WITH ${exactTenantDailyCtes(params)} ${SERIES_SELECT} ORDER BY day`;
}

/** Lead quality counts: hot `score >= 80`, warm `50..79`, cold `< 50`, unscored `null`. */
export interface LeadQualityCounts {
  hot: number;
  warm: number;
  cold: number;
  unscored: number;
}

/**
 * Lead quality over a span, from the pre-aggregated CASE counts (R2.6).
 *
 * @example
 * const [quality] = (await leadQualityQuery(db, { userId: 1, fromDay, toDay }).execute(db)).rows;
 */
export function leadQualityQuery(
  _db: Kysely<Database>,
  params: TenantDaysParams,
): RawBuilder<LeadQualityCounts> {
  return sql<LeadQualityCounts>`
    WITH ${exactTenantDailyCtes(params)}
    SELECT coalesce(sum(leads_hot), 0)::bigint AS hot, coalesce(sum(leads_warm), 0)::bigint AS warm,
      coalesce(sum(leads_cold), 0)::bigint AS cold, coalesce(sum(leads_unscored), 0)::bigint AS unscored
    FROM exact_tenant_daily`;
}

/** One agent's counts over a span, for `agentPerformance`. */
export interface AgentPerformanceRow {
  agentId: number;
  name: string;
  status: AgentStatus;
  totalCalls: number;
  completedCalls: number;
  completedDurationSeconds: number;
  totalLeads: number;
  convertedLeads: number;
}

/**
 * The tenant's top agents by calls in a span, ties by agent id; agents with
 * no calls rank last rather than vanish.
 *
 * @example
 * const top = await agentPerformanceQuery(db, { userId: 1, fromDay, toDay }).execute(db);
 */
export function agentPerformanceQuery(
  _db: Kysely<Database>,
  params: TenantDaysParams & { limit?: number },
): RawBuilder<AgentPerformanceRow> {
  return sql<AgentPerformanceRow>`WITH ${exactDailyCtes(params)}, ${topAgentsCtes(params)} SELECT * FROM top_agents`;
}

/** CTEs `per_agent` and `top_agents` over `exact_daily`: the top agents by calls, ties by id. */
function topAgentsCtes(params: TenantDaysParams & { limit?: number }): RawBuilder<unknown> {
  return sql`
    per_agent AS (
      SELECT agent_id, sum(calls_total)::bigint AS calls_total, sum(calls_completed)::bigint AS calls_completed,
        sum(duration_completed_seconds)::bigint AS duration, sum(leads_total)::bigint AS leads_total,
        sum(leads_converted)::bigint AS leads_converted
      FROM exact_daily GROUP BY agent_id
    ),
    top_agents AS (
      SELECT a.id AS "agentId", a.name, a.status,
        coalesce(p.calls_total, 0) AS "totalCalls", coalesce(p.calls_completed, 0) AS "completedCalls",
        coalesce(p.duration, 0) AS "completedDurationSeconds", coalesce(p.leads_total, 0) AS "totalLeads",
        coalesce(p.leads_converted, 0) AS "convertedLeads"
      FROM agents a
      LEFT JOIN per_agent p ON p.agent_id = a.id
      WHERE a.user_id = ${params.userId}
      ORDER BY coalesce(p.calls_total, 0) DESC, a.id
      LIMIT ${params.limit ?? 10}
    )`;
}

/**
 * The daily series and the top 10 agents in one statement: the series from
 * the tenant's daily sums, the ranking from the agent-days, the dirty days
 * recomputed once for both; the results come back as JSON arrays. What
 * {@link loadAnalytics} runs.
 *
 * @example
 * const [{ series, top }] = (await analyticsQuery(db, { userId: 1, fromDay, toDay }).execute(db)).rows;
 */
export function analyticsQuery(
  _db: Kysely<Database>,
  params: TenantDaysParams,
): RawBuilder<{ series: DailySeriesRow[]; top: AgentPerformanceRow[] }> {
  return sql<{ series: DailySeriesRow[]; top: AgentPerformanceRow[] }>`
    WITH ${dirtyDaysCtes(params)}, ${exactDailyCte(params)}, ${exactTenantDailyCte(params)},
      series AS (${SERIES_SELECT}), ${topAgentsCtes(params)}
    SELECT (SELECT coalesce(json_agg(s ORDER BY s.day), '[]') FROM series s) AS series,
      (SELECT coalesce(json_agg(t ORDER BY t."totalCalls" DESC, t."agentId"), '[]') FROM top_agents t) AS top`;
}

/** Parameters of {@link loadAnalytics}. */
export interface AnalyticsParams extends OverviewParams {
  bucket: Bucket;
}

/** The analytics charts' data, every bucket present. */
export interface AnalyticsData {
  window: DayWindow;
  callsOverTime: Array<{ bucketStart: string; total: number; completed: number; failed: number }>;
  leadsOverTime: Array<{ bucketStart: string; total: number; qualified: number; converted: number }>;
  leadQuality: LeadQualityCounts;
  agentPerformance: AgentPerformanceRow[];
}

/**
 * The analytics data in one query ({@link analyticsQuery}): the daily series
 * (charts and lead quality) and the top 10 agents. Empty buckets are filled
 * in code.
 *
 * @example
 * const data = await loadAnalytics(db, { userId, range: '90d', bucket: 'week', now: new Date() });
 */
export async function loadAnalytics(db: Kysely<Database>, params: AnalyticsParams): Promise<AnalyticsData> {
  checkBucket(params.bucket);
  const { window, tenantDays } = tenantWindow(params);
  const { rows } = await prepared('analytics', analyticsQuery(db, tenantDays)).execute(db);
  const series = rows[0]?.series ?? [];
  const top = rows[0]?.top ?? [];
  const calls = new Map<string, AnalyticsData['callsOverTime'][number]>();
  const leads = new Map<string, AnalyticsData['leadsOverTime'][number]>();
  for (const start of bucketStarts(window, params.bucket)) {
    calls.set(start, { bucketStart: start, total: 0, completed: 0, failed: 0 });
    leads.set(start, { bucketStart: start, total: 0, qualified: 0, converted: 0 });
  }
  const leadQuality: LeadQualityCounts = { hot: 0, warm: 0, cold: 0, unscored: 0 };
  for (const row of series) {
    const start = bucketStart(row.day, params.bucket);
    const c = calls.get(start);
    const l = leads.get(start);
    if (!c || !l) continue;
    c.total += row.callsTotal;
    c.completed += row.callsCompleted;
    c.failed += row.callsFailed;
    l.total += row.leadsTotal;
    l.qualified += row.leadsQualified;
    l.converted += row.leadsConverted;
    leadQuality.hot += row.leadsHot;
    leadQuality.warm += row.leadsWarm;
    leadQuality.cold += row.leadsCold;
    leadQuality.unscored += row.leadsUnscored;
  }
  return {
    window,
    callsOverTime: [...calls.values()],
    leadsOverTime: [...leads.values()],
    leadQuality,
    agentPerformance: top,
  };
}
