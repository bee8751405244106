import { type Kysely, sql } from 'kysely';
import { AGENT_SORT_KEY_FORMAT, type AgentSortKey } from '../agents/agents-cursor.js';
import type { Database } from '../schema/database.js';

/** A time span `[start, end)`. */
export interface InstantRange {
  start: Date;
  end: Date;
}

/**
 * The queries of the platform's code today (the "before"), each run once per
 * agent (N+1) and aggregated in JavaScript. The example app's naive mode runs
 * exactly these, so what `perf-cli audit` audits is what runs; benchmarks
 * compare them with the batched queries.
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

  /** One page of the tenant's agents, newest first, keyset after `after`, one extra row to detect the next page. */
  agentsPageOfUser: (db: Kysely<Database>, p: { userId: number; limit: number; after?: AgentSortKey }) =>
    db
      .selectFrom('agents')
      .select(['id', 'name', 'status', 'elevenlabs_agent_id', 'created_at'])
      .select(sql<string>`to_char(created_at AT TIME ZONE 'UTC', ${AGENT_SORT_KEY_FORMAT})`.as('sort_key'))
      .where('user_id', '=', p.userId)
      .$if(p.after !== undefined, (query) =>
        query.where(
          sql<boolean>`(created_at, id) < (${p.after?.createdAt}::timestamptz, ${p.after?.id}::bigint)`,
        ),
      )
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(p.limit + 1),

  /** One of the tenant's agents (agent detail); none for another tenant's. */
  agentOfUser: (db: Kysely<Database>, p: { userId: number; agentId: number }) =>
    db
      .selectFrom('agents')
      .select(['id', 'name', 'status', 'elevenlabs_agent_id', 'created_at'])
      .where('id', '=', p.agentId)
      .where('user_id', '=', p.userId),
} as const;
