import type { TestSchema } from '@perfkit/testing';
import { sql } from 'kysely';

/**
 * Expected values computed independently of the app: plain SQL over raw rows,
 * with the windows written by hand for "now" = 2026-11-01T15:00Z.
 */
export const WINDOWS = {
  '7d': { start: '2026-10-26T00:00:00Z', end: '2026-11-02T00:00:00Z' },
  '30d': { start: '2026-10-03T00:00:00Z', end: '2026-11-02T00:00:00Z' },
  '90d': { start: '2026-08-04T00:00:00Z', end: '2026-11-02T00:00:00Z' },
} as const;

export type RangeName = keyof typeof WINDOWS;

const num = (value: unknown) => Number(value);

/** The overview KPIs of `userId` over `range`, from raw rows. */
export async function expectedKpis(t: TestSchema, userId: number, range: RangeName) {
  const { start, end } = WINDOWS[range];
  const calls = await sql<Record<string, string | null>>`
    SELECT count(*) AS total,
      count(*) FILTER (WHERE status = 'completed') AS completed,
      count(*) FILTER (WHERE status = 'failed') AS failed,
      coalesce(sum(cost_cents), 0) AS cost,
      CASE WHEN count(*) = 0 THEN 0 ELSE round(count(*) FILTER (WHERE status = 'completed')::numeric / count(*), 4) END AS success_rate,
      coalesce(round(avg(duration_seconds) FILTER (WHERE status = 'completed'), 1), 0) AS avg_duration
    FROM calls WHERE user_id = ${userId} AND created_at >= ${start}::timestamptz AND created_at < ${end}::timestamptz`.execute(
    t.db,
  );
  const leads = await sql<Record<string, string | null>>`
    SELECT count(*) AS total,
      count(*) FILTER (WHERE status IN ('qualified', 'converted')) AS qualified,
      CASE WHEN count(*) = 0 THEN 0 ELSE round(count(*) FILTER (WHERE status = 'converted')::numeric / count(*), 4) END AS conversion_rate
    FROM leads WHERE user_id = ${userId} AND created_at >= ${start}::timestamptz AND created_at < ${end}::timestamptz`.execute(
    t.db,
  );
  const agents = await sql<{ active: string }>`
    SELECT count(*) AS active FROM agents WHERE user_id = ${userId} AND status = 'active'`.execute(t.db);
  const c = calls.rows[0] ?? {};
  const l = leads.rows[0] ?? {};
  return {
    totalCalls: num(c.total),
    completedCalls: num(c.completed),
    failedCalls: num(c.failed),
    successRate: num(c.success_rate),
    avgDurationSec: num(c.avg_duration),
    totalCostCents: num(c.cost),
    totalLeads: num(l.total),
    qualifiedLeads: num(l.qualified),
    conversionRate: num(l.conversion_rate),
    activeAgents: num(agents.rows[0]?.active),
  };
}

/** The 5 newest calls and leads of `userId` in `range`, as `[type, id]`. */
export async function expectedRecentActivity(t: TestSchema, userId: number, range: RangeName) {
  const { start, end } = WINDOWS[range];
  const rows = await sql<{ type: string; id: string }>`
    SELECT type, id FROM (
      SELECT 'call' AS type, id, created_at FROM calls WHERE user_id = ${userId}
        AND created_at >= ${start}::timestamptz AND created_at < ${end}::timestamptz
      UNION ALL
      SELECT 'lead', id, created_at FROM leads WHERE user_id = ${userId}
        AND created_at >= ${start}::timestamptz AND created_at < ${end}::timestamptz
    ) a ORDER BY created_at DESC, type ASC, id DESC LIMIT 5`.execute(t.db);
  return rows.rows.map((r) => [r.type, num(r.id)]);
}

/** Calls and leads per bucket (every bucket present), from raw rows. */
export async function expectedSeries(
  t: TestSchema,
  userId: number,
  range: RangeName,
  bucket: 'day' | 'week',
) {
  const { start, end } = WINDOWS[range];
  const calls = await sql<Record<string, string>>`
    SELECT to_char(b, 'YYYY-MM-DD') AS bucket_start,
      count(c.id) AS total,
      count(c.id) FILTER (WHERE c.status = 'completed') AS completed,
      count(c.id) FILTER (WHERE c.status = 'failed') AS failed
    FROM generate_series(date_trunc(${bucket}, ${start}::timestamptz AT TIME ZONE 'UTC'),
                         ${end}::timestamptz AT TIME ZONE 'UTC' - interval '1 day', ${`1 ${bucket}`}::interval) b
    LEFT JOIN calls c ON c.user_id = ${userId} AND c.created_at >= ${start}::timestamptz
      AND c.created_at < ${end}::timestamptz AND date_trunc(${bucket}, c.created_at AT TIME ZONE 'UTC') = b
    GROUP BY b ORDER BY b`.execute(t.db);
  const leads = await sql<Record<string, string>>`
    SELECT to_char(b, 'YYYY-MM-DD') AS bucket_start,
      count(l.id) AS total,
      count(l.id) FILTER (WHERE l.status IN ('qualified', 'converted')) AS qualified,
      count(l.id) FILTER (WHERE l.status = 'converted') AS converted
    FROM generate_series(date_trunc(${bucket}, ${start}::timestamptz AT TIME ZONE 'UTC'),
                         ${end}::timestamptz AT TIME ZONE 'UTC' - interval '1 day', ${`1 ${bucket}`}::interval) b
    LEFT JOIN leads l ON l.user_id = ${userId} AND l.created_at >= ${start}::timestamptz
      AND l.created_at < ${end}::timestamptz AND date_trunc(${bucket}, l.created_at AT TIME ZONE 'UTC') = b
    GROUP BY b ORDER BY b`.execute(t.db);
  return {
    callsOverTime: calls.rows.map((r) => ({
      bucketStart: r.bucket_start,
      total: num(r.total),
      completed: num(r.completed),
      failed: num(r.failed),
    })),
    leadsOverTime: leads.rows.map((r) => ({
      bucketStart: r.bucket_start,
      total: num(r.total),
      qualified: num(r.qualified),
      converted: num(r.converted),
    })),
  };
}

/** Lead quality counts of `userId` in `range`, from raw rows. */
export async function expectedLeadQuality(t: TestSchema, userId: number, range: RangeName) {
  const { start, end } = WINDOWS[range];
  const rows = await sql<Record<string, string>>`
    SELECT count(*) FILTER (WHERE score >= 80) AS hot,
      count(*) FILTER (WHERE score BETWEEN 50 AND 79) AS warm,
      count(*) FILTER (WHERE score < 50) AS cold,
      count(*) FILTER (WHERE score IS NULL) AS unscored
    FROM leads WHERE user_id = ${userId} AND created_at >= ${start}::timestamptz AND created_at < ${end}::timestamptz`.execute(
    t.db,
  );
  const r = rows.rows[0] ?? {};
  return { hot: num(r.hot), warm: num(r.warm), cold: num(r.cold), unscored: num(r.unscored) };
}

/** The top 10 agents of `userId` by calls in `range` (ties by id), from raw rows. */
export async function expectedAgentPerformance(t: TestSchema, userId: number, range: RangeName) {
  const { start, end } = WINDOWS[range];
  const rows = await sql<Record<string, string>>`
    WITH per_agent AS (SELECT a.id, a.name, a.status,
      (SELECT count(*) FROM calls c WHERE c.agent_id = a.id AND c.created_at >= ${start}::timestamptz AND c.created_at < ${end}::timestamptz) AS total_calls,
      (SELECT count(*) FROM calls c WHERE c.agent_id = a.id AND c.status = 'completed' AND c.created_at >= ${start}::timestamptz AND c.created_at < ${end}::timestamptz) AS completed_calls,
      (SELECT coalesce(round(avg(duration_seconds), 1), 0) FROM calls c WHERE c.agent_id = a.id AND c.status = 'completed' AND c.created_at >= ${start}::timestamptz AND c.created_at < ${end}::timestamptz) AS avg_duration,
      (SELECT count(*) FROM leads l WHERE l.agent_id = a.id AND l.created_at >= ${start}::timestamptz AND l.created_at < ${end}::timestamptz) AS total_leads,
      (SELECT count(*) FROM leads l WHERE l.agent_id = a.id AND l.status = 'converted' AND l.created_at >= ${start}::timestamptz AND l.created_at < ${end}::timestamptz) AS converted_leads
    FROM agents a WHERE a.user_id = ${userId})
    SELECT *,
      CASE WHEN total_calls = 0 THEN 0 ELSE round(completed_calls::numeric / total_calls, 4) END AS success_rate,
      CASE WHEN total_leads = 0 THEN 0 ELSE round(converted_leads::numeric / total_leads, 4) END AS conversion_rate
    FROM per_agent ORDER BY total_calls DESC, id ASC LIMIT 10`.execute(t.db);
  return rows.rows.map((r) => ({
    agentId: num(r.id),
    name: r.name,
    status: r.status,
    totalCalls: num(r.total_calls),
    completedCalls: num(r.completed_calls),
    successRate: num(r.success_rate),
    avgDurationSec: num(r.avg_duration),
    totalLeads: num(r.total_leads),
    convertedLeads: num(r.converted_leads),
    conversionRate: num(r.conversion_rate),
  }));
}

/** The user's agents newest first with all-time stats, from raw rows. */
export async function expectedAgents(t: TestSchema, userId: number) {
  const rows = await sql<Record<string, string | Date | null>>`
    SELECT a.id, a.name, a.status, a.elevenlabs_agent_id, a.created_at,
      (SELECT count(*) FROM calls c WHERE c.agent_id = a.id) AS total_calls,
      (SELECT count(*) FROM calls c WHERE c.agent_id = a.id AND c.status = 'completed') AS completed_calls,
      (SELECT CASE WHEN count(*) = 0 THEN 0 ELSE round(count(*) FILTER (WHERE c.status = 'completed')::numeric / count(*), 4) END
         FROM calls c WHERE c.agent_id = a.id) AS success_rate,
      (SELECT coalesce(round(avg(duration_seconds), 1), 0) FROM calls c WHERE c.agent_id = a.id AND c.status = 'completed') AS avg_duration,
      (SELECT count(*) FROM leads l WHERE l.agent_id = a.id) AS total_leads,
      (SELECT max(created_at) FROM calls c WHERE c.agent_id = a.id) AS last_call_at
    FROM agents a WHERE a.user_id = ${userId}
    ORDER BY a.created_at DESC, a.id DESC`.execute(t.db);
  return rows.rows.map((r) => ({
    id: num(r.id),
    name: String(r.name),
    status: String(r.status),
    elevenlabsAgentId: String(r.elevenlabs_agent_id),
    createdAt: (r.created_at as Date).toISOString(),
    stats: {
      totalCalls: num(r.total_calls),
      completedCalls: num(r.completed_calls),
      successRate: num(r.success_rate),
      totalLeads: num(r.total_leads),
      avgDurationSec: num(r.avg_duration),
      lastCallAt: r.last_call_at ? (r.last_call_at as Date).toISOString() : null,
    },
  }));
}
