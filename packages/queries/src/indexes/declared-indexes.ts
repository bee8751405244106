/**
 * One performance index: what the engine builds, and why it exists. Kept apart
 * from the base schema, which has none, so a before/after is honest.
 */
export interface IndexDefinition {
  /** Index name, unique in the schema. */
  name: string;
  /** The table it is on (unqualified: resolved on the connection's `search_path`). */
  table: string;
  /** What follows `ON <table>`: columns, `INCLUDE`, `WHERE`. */
  definition: string;
  /** The queries it serves and the gain measured with EXPLAIN. */
  why: string;
}

const ANALYTICS_METRICS =
  'calls_total, calls_completed, calls_failed, duration_completed_seconds, cost_cents, leads_total, ' +
  'leads_qualified, leads_converted, leads_hot, leads_warm, leads_cold, leads_unscored, last_call_at';

/**
 * The indexes perfkit declares, in build order.
 *
 * @example
 * for (const index of declaredIndexes) console.log(index.name, index.why);
 */
export const declaredIndexes: readonly IndexDefinition[] = [
  {
    name: 'agent_analytics_user_day_cover_idx',
    table: 'agent_analytics',
    definition: `(user_id, day) INCLUDE (agent_id, ${ANALYTICS_METRICS})`,
    why:
      'Overview, analytics series and top agents read a tenant’s days in a range. Rows are stored in ' +
      'time order, so a plain (user_id, day) index reads about one heap page per row; covering the ' +
      'metrics makes it an index-only scan.',
  },
  {
    name: 'agent_analytics_agent_day_cover_idx',
    table: 'agent_analytics',
    definition: `(agent_id, day) INCLUDE (user_id, ${ANALYTICS_METRICS})`,
    why:
      'All-time stats of a page of agents (agent_id = ANY(…)) as an index-only scan, touching only ' +
      'the page’s agents however many agents the tenant has.',
  },
  {
    name: 'analytics_dirty_user_day_idx',
    table: 'analytics_dirty',
    definition: '(user_id, day)',
    why: 'Every exact read looks up the tenant’s dirty days; without it each read scans the dirty set.',
  },
  {
    name: 'calls_agent_created_idx',
    table: 'calls',
    definition: '(agent_id, created_at) INCLUDE (status, duration_seconds, cost_cents)',
    why:
      'Recomputing a dirty agent-day from raw calls (reads and rollup) as an index-only range scan; ' +
      'also the per-agent queries of the naive code, and deleting an agent (FK cascade).',
  },
  {
    name: 'leads_agent_created_idx',
    table: 'leads',
    definition: '(agent_id, created_at) INCLUDE (status, score)',
    why:
      'Recomputing a dirty agent-day from raw leads, including the score CASE, index-only (with ' +
      'leads(agent_id) alone one read touched 429k buffers); FK cascade from agents.',
  },
  {
    name: 'calls_user_created_idx',
    table: 'calls',
    definition: '(user_id, created_at, id)',
    why:
      'Recent activity: a backward scan stops after 5 rows in (created_at, id) order with no sort; ' +
      'tenant + date-range filters of the naive code.',
  },
  {
    name: 'leads_user_created_idx',
    table: 'leads',
    definition: '(user_id, created_at, id) INCLUDE (score, status)',
    why:
      'Recent activity for leads; and the lead-quality CASE over score (R2.6) for a tenant and range ' +
      'as an index-only scan instead of a heap read per lead.',
  },
  {
    name: 'leads_call_id_idx',
    table: 'leads',
    definition: '(call_id) WHERE call_id IS NOT NULL',
    why:
      'Foreign key leads.call_id → calls: joins from a call to its leads, and deleting a call ' +
      '(ON DELETE SET NULL) would otherwise scan all leads. Partial: most leads have no call.',
  },
  {
    name: 'agents_user_created_idx',
    table: 'agents',
    definition: '(user_id, created_at, id)',
    why:
      'Foreign key agents.user_id → users, and the agents list’s keyset page (newest first) with ' +
      'no sort.',
  },
];
