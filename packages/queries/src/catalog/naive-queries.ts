import { type Kysely, sql } from 'kysely';
import type { Database } from '../schema/database.js';

/** A time span `[start, end)`. */
export interface InstantRange {
  start: Date;
  end: Date;
}

/**
 * The query shapes of the platform's code today (the "before"), each run once
 * per agent (N+1) and aggregated in JavaScript; kept for audits and
 * benchmarks, which compare them with the batched queries.
 *
 * @example
 * for (const agent of agents) await naiveQueries.callsOfAgentInRange(db, { agentId: agent.id, start, end }).execute();
 */
export const naiveQueries = {
  /** The tenant's agents, before the per-agent loop. */
  agentsOfUser: (db: Kysely<Database>, p: { userId: number }) =>
    db.selectFrom('agents').select(['id', 'name', 'status']).where('user_id', '=', p.userId).orderBy('id'),

  /** One agent's raw calls in a range (overview, analytics). */
  callsOfAgentInRange: (db: Kysely<Database>, p: { agentId: number } & InstantRange) =>
    db
      .selectFrom('calls')
      .select(['id', 'status', 'duration_seconds', 'cost_cents', 'created_at'])
      .where('agent_id', '=', p.agentId)
      .where('created_at', '>=', p.start)
      .where('created_at', '<', p.end),

  /** One agent's raw leads in a range (overview, analytics). */
  leadsOfAgentInRange: (db: Kysely<Database>, p: { agentId: number } & InstantRange) =>
    db
      .selectFrom('leads')
      .select(['id', 'name', 'status', 'score', 'created_at'])
      .where('agent_id', '=', p.agentId)
      .where('created_at', '>=', p.start)
      .where('created_at', '<', p.end),

  /** One agent's calls of all time (agents list stats). */
  callsOfAgent: (db: Kysely<Database>, p: { agentId: number }) =>
    db
      .selectFrom('calls')
      .select(['status', 'duration_seconds', 'created_at'])
      .where('agent_id', '=', p.agentId),

  /** One agent's leads of all time (agents list stats). */
  leadsOfAgent: (db: Kysely<Database>, p: { agentId: number }) =>
    db.selectFrom('leads').select('id').where('agent_id', '=', p.agentId),

  /** The tenant's agent count, recounted on every request. */
  agentCount: (db: Kysely<Database>, p: { userId: number }) =>
    db
      .selectFrom('agents')
      .select((eb) => eb.fn.countAll<number>().as('total'))
      .where('user_id', '=', p.userId),

  /** Lead quality as a CASE over raw scores (R2.6 without pre-aggregates). */
  leadQualityFromRaw: (db: Kysely<Database>, p: { userId: number } & InstantRange) =>
    db
      .selectFrom('leads')
      .select([
        sql<string>`CASE WHEN score >= 80 THEN 'hot' WHEN score >= 50 THEN 'warm'
          WHEN score IS NOT NULL THEN 'cold' ELSE 'unscored' END`.as('quality'),
        (eb) => eb.fn.countAll<number>().as('leads'),
      ])
      .where('user_id', '=', p.userId)
      .where('created_at', '>=', p.start)
      .where('created_at', '<', p.end)
      .groupBy('quality'),
} as const;
