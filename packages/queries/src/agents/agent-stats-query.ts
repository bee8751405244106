import { type Kysely, type RawBuilder, sql } from 'kysely';
import { dirtyDaysCtes, scopeFilter } from '../analytics/daily-metrics.js';
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
  return sql<AgentStatsRow>`WITH ${agentStatsCtes(params)} SELECT * FROM agent_stats`;
}

/**
 * CTEs ending in `agent_stats` ({@link AgentStatsRow} columns) for the agents
 * in scope, exact: `agent_totals` (the sum of each agent's rollup rows), minus
 * the rollup rows of dirty days, plus those days recomputed from raw rows.
 * `lastCallAt` is the newest of the recomputed days' and the newest clean
 * rollup day's: `agent_totals` holds it for an agent without dirty days; with
 * some (or when `agent_totals` has none, e.g. written by a rollup older than
 * the column), one backward step on the `(agent_id, day)` index skips them.
 */
export function agentStatsCtes(params: AgentStatsParams): RawBuilder<unknown> {
  const sums = sql`calls_total, calls_completed, duration_completed_seconds, leads_total`;
  return sql`
    ${dirtyDaysCtes(params)},
    parts AS (
      SELECT t.agent_id, ${sums} FROM agent_totals t WHERE ${scopeFilter('t', params)}
      UNION ALL
      SELECT a.agent_id, -a.calls_total, -a.calls_completed, -a.duration_completed_seconds, -a.leads_total
      FROM agent_analytics a JOIN dirty_keys k ON k.agent_id = a.agent_id AND k.day = a.day
      UNION ALL
      SELECT agent_id, ${sums} FROM dirty_fresh
    ),
    agent_stats AS (
      SELECT p.agent_id AS "agentId", sum(p.calls_total)::bigint AS "totalCalls",
        sum(p.calls_completed)::bigint AS "completedCalls",
        sum(p.duration_completed_seconds)::bigint AS "completedDurationSeconds",
        sum(p.leads_total)::bigint AS "totalLeads",
        greatest(
          (SELECT max(f.last_call_at) FROM dirty_fresh f WHERE f.agent_id = p.agent_id),
          -- COALESCE evaluates the scan only when agent_totals has no answer.
          coalesce(
            CASE WHEN NOT EXISTS (SELECT 1 FROM dirty_keys k WHERE k.agent_id = p.agent_id) THEN
              (SELECT t.last_call_at FROM agent_totals t WHERE t.agent_id = p.agent_id) END,
            (SELECT a.last_call_at FROM agent_analytics a
             WHERE a.agent_id = p.agent_id AND a.last_call_at IS NOT NULL
               AND NOT EXISTS (SELECT 1 FROM dirty_keys k WHERE k.agent_id = a.agent_id AND k.day = a.day)
             ORDER BY a.day DESC LIMIT 1))
        ) AS "lastCallAt"
      FROM parts p
      GROUP BY p.agent_id
    )`;
}

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
