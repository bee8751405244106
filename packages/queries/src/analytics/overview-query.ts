import { type Kysely, type RawBuilder, sql } from 'kysely';
import { prepared } from '../db/prepared-statements.js';
import type { CallStatus, Database, LeadStatus } from '../schema/database.js';
import { exactTenantDailyCtes } from './daily-metrics.js';
import { type DayWindow, dayWindow, type RangeName } from './date-window.js';

/** A tenant and a span of whole UTC days. */
export interface TenantDaysParams {
  userId: number;
  /** First day, `YYYY-MM-DD`, inclusive. */
  fromDay: string;
  /** Last day, `YYYY-MM-DD`, inclusive. */
  toDay: string;
}

/** Integer counts behind the overview KPIs; rates are derived by the caller. */
export interface OverviewCounts {
  totalCalls: number;
  completedCalls: number;
  failedCalls: number;
  /** Sum of `duration_seconds` over completed calls. */
  completedDurationSeconds: number;
  totalCostCents: number;
  totalLeads: number;
  qualifiedLeads: number;
  convertedLeads: number;
  /** Agents with status `active` (all of the tenant's, not only those with calls). */
  activeAgents: number;
}

/**
 * The overview's counts over a span of days, exact, from the tenant's daily
 * pre-aggregates (dirty days recomputed from raw rows), in one statement.
 *
 * @example
 * const row = await overviewCountsQuery(db, { userId: 1, fromDay: '2026-10-03', toDay: '2026-11-01' })
 *   .execute(db);
 */
export function overviewCountsQuery(
  _db: Kysely<Database>,
  params: TenantDaysParams,
): RawBuilder<OverviewCounts> {
  return sql<OverviewCounts>`
    WITH ${exactTenantDailyCtes(params)}
    SELECT
      coalesce(sum(calls_total), 0)::bigint AS "totalCalls",
      coalesce(sum(calls_completed), 0)::bigint AS "completedCalls",
      coalesce(sum(calls_failed), 0)::bigint AS "failedCalls",
      coalesce(sum(duration_completed_seconds), 0)::bigint AS "completedDurationSeconds",
      coalesce(sum(cost_cents), 0)::bigint AS "totalCostCents",
      coalesce(sum(leads_total), 0)::bigint AS "totalLeads",
      coalesce(sum(leads_qualified), 0)::bigint AS "qualifiedLeads",
      coalesce(sum(leads_converted), 0)::bigint AS "convertedLeads",
      (SELECT count(*) FROM agents WHERE user_id = ${params.userId} AND status = 'active') AS "activeAgents"
    FROM exact_tenant_daily`;
}

/** One item of the recent activity: a call or a lead, with its agent's name. */
export type ActivityRow =
  | {
      type: 'call';
      id: number;
      agentId: number;
      agentName: string;
      status: CallStatus;
      durationSeconds: number;
      costCents: number;
      createdAt: Date;
    }
  | {
      type: 'lead';
      id: number;
      agentId: number;
      agentName: string;
      name: string;
      status: LeadStatus;
      score: number | null;
      createdAt: Date;
    };

interface ActivityDbRow {
  type: 'call' | 'lead';
  id: number;
  agent_id: number;
  agent_name: string;
  status: string;
  duration_seconds: number | null;
  cost_cents: number | null;
  name: string | null;
  score: number | null;
  created_at: Date;
}

/** Parameters of {@link recentActivityQuery}. */
export interface RecentActivityParams {
  userId: number;
  /** Only rows created at or after this instant. */
  start: Date;
  /** Only rows created before this instant. */
  end: Date;
  /** Items in all. Default: 5. */
  limit?: number;
}

/**
 * The newest calls and leads of a tenant merged: by `created_at` desc, then
 * calls before leads, then id desc. Each side is a backward scan of its
 * `(user_id, created_at, id)` index stopping after `limit` rows.
 *
 * @example
 * const items = await recentActivityQuery(db, { userId: 1, start, end }).execute(db);
 */
export function recentActivityQuery(
  _db: Kysely<Database>,
  params: RecentActivityParams,
): RawBuilder<ActivityDbRow> {
  const limit = params.limit ?? 5;
  const side = (table: 'calls' | 'leads') => sql`
    SELECT id, agent_id, created_at FROM ${sql.table(table)}
    WHERE user_id = ${params.userId} AND created_at >= ${params.start} AND created_at < ${params.end}
    ORDER BY created_at DESC, id DESC LIMIT ${limit}`;
  return sql<ActivityDbRow>`
    WITH newest AS (
      SELECT * FROM (
        (SELECT 'call' AS type, * FROM (${side('calls')}) c)
        UNION ALL
        (SELECT 'lead' AS type, * FROM (${side('leads')}) l)
      ) m
      ORDER BY created_at DESC, type, id DESC LIMIT ${limit}
    )
    SELECT n.type, n.id, n.agent_id, a.name AS agent_name, coalesce(c.status, l.status) AS status,
      c.duration_seconds, c.cost_cents, l.name, l.score, n.created_at
    FROM newest n
    JOIN agents a ON a.id = n.agent_id
    LEFT JOIN calls c ON n.type = 'call' AND c.id = n.id
    LEFT JOIN leads l ON n.type = 'lead' AND l.id = n.id
    ORDER BY n.created_at DESC, n.type, n.id DESC`;
}

/** Maps a {@link recentActivityQuery} row to an {@link ActivityRow}. */
export function toActivityRow(row: ActivityDbRow): ActivityRow {
  const common = { id: row.id, agentId: row.agent_id, agentName: row.agent_name, createdAt: row.created_at };
  return row.type === 'call'
    ? {
        type: 'call',
        ...common,
        status: row.status as CallStatus,
        durationSeconds: row.duration_seconds ?? 0,
        costCents: row.cost_cents ?? 0,
      }
    : { type: 'lead', ...common, name: row.name ?? '', status: row.status as LeadStatus, score: row.score };
}

/** Parameters of {@link loadOverview}. */
export interface OverviewParams {
  userId: number;
  range: RangeName;
  /** The instant whose UTC day ends the range. */
  now: Date;
}

/**
 * The whole-day window of a dashboard request and the tenant-days it reads.
 *
 * @example
 * const { window, tenantDays } = tenantWindow({ userId: 1, range: '7d', now: new Date() });
 */
export function tenantWindow(params: OverviewParams): { window: DayWindow; tenantDays: TenantDaysParams } {
  const window = dayWindow(params.range, params.now);
  return { window, tenantDays: { userId: params.userId, fromDay: window.fromDay, toDay: window.toDay } };
}

/** Everything the overview needs, as integer counts and rows. */
export interface OverviewData {
  window: DayWindow;
  counts: OverviewCounts;
  recentActivity: ActivityRow[];
}

/**
 * The overview's data in one round trip per query, both in parallel: the
 * counts from the pre-aggregates and the 5 newest items of the range.
 *
 * @example
 * const { counts, recentActivity } = await loadOverview(db, { userId, range: '30d', now: new Date() });
 * const successRate = rate(counts.completedCalls, counts.totalCalls);
 */
export async function loadOverview(db: Kysely<Database>, params: OverviewParams): Promise<OverviewData> {
  const { window, tenantDays } = tenantWindow(params);
  const [counts, activity] = await Promise.all([
    prepared('overview_counts', overviewCountsQuery(db, tenantDays)).execute(db),
    prepared(
      'recent_activity',
      recentActivityQuery(db, { userId: params.userId, start: window.start, end: window.end }),
    ).execute(db),
  ]);
  const row = counts.rows[0];
  if (!row) throw new Error('the overview counts query returned no row');
  return { window, counts: row, recentActivity: activity.rows.map(toActivityRow) };
}
