import { type Kysely, type RawBuilder, sql } from 'kysely';
import { exactDailyCtes } from '../analytics/daily-metrics.js';
import type { Database } from '../schema/database.js';

/** One agent's all-time counts; rates are derived by the caller. */
export interface AgentStatsRow {
  agentId: number;
  totalCalls: number;
  completedCalls: number;
  completedDurationSeconds: number;
  totalLeads: number;
  /** Newest call's `created_at`, or `null` without calls. */
  lastCallAt: Date | null;
}

/** Parameters of {@link agentStatsQuery}. */
export interface AgentStatsParams {
  userId: number;
  /** A page of the tenant's agents (or a subquery yielding them); other tenants' ids match nothing. */
  agentIds: readonly number[] | RawBuilder<unknown>;
}

/**
 * All-time stats for a whole page of agents in one query, from the
 * pre-aggregates (dirty days recomputed from raw rows); `lastCallAt` too. An
 * agent without any row is absent: read it as zeros.
 *
 * @example
 * const stats = await agentStatsQuery(db, { userId: 1, agentIds: [3, 4, 5] }).execute(db);
 */
export function agentStatsQuery(_db: Kysely<Database>, params: AgentStatsParams): RawBuilder<AgentStatsRow> {
  return sql<AgentStatsRow>`WITH ${exactDailyCtes(params)} ${AGENT_STATS_SELECT}`;
}

/** Per-agent all-time sums over the CTE `exact_daily`, as {@link AgentStatsRow}. */
export const AGENT_STATS_SELECT = sql`
  SELECT agent_id AS "agentId", sum(calls_total)::bigint AS "totalCalls",
    sum(calls_completed)::bigint AS "completedCalls",
    sum(duration_completed_seconds)::bigint AS "completedDurationSeconds",
    sum(leads_total)::bigint AS "totalLeads", max(last_call_at) AS "lastCallAt"
  FROM exact_daily
  GROUP BY agent_id`;

/** Zero stats for an agent without rows. */
export function emptyAgentStats(agentId: number): AgentStatsRow {
  return {
    agentId,
    totalCalls: 0,
    completedCalls: 0,
    completedDurationSeconds: 0,
    totalLeads: 0,
    lastCallAt: null,
  };
}
