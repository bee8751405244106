import { type Kysely, sql } from 'kysely';

/**
 * All-time totals per agent, kept by the rollup in the same transaction as
 * `agent_analytics`, so at every commit a row equals the sum of its agent's
 * rollup rows. The agents list reads 1 row per agent instead of one per day.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE agent_totals (
      agent_id bigint PRIMARY KEY,
      user_id bigint NOT NULL,
      calls_total bigint NOT NULL,
      calls_completed bigint NOT NULL,
      duration_completed_seconds bigint NOT NULL,
      leads_total bigint NOT NULL,
      FOREIGN KEY (agent_id, user_id) REFERENCES agents (id, user_id) ON DELETE CASCADE
    )`.execute(db);
  // Backfill from an existing rollup, holding the rollup's lock so no rollup runs meanwhile.
  await sql`SELECT pg_advisory_xact_lock(hashtextextended(current_schema() || '.perfkit.rollup', 0))`.execute(
    db,
  );
  await sql`
    INSERT INTO agent_totals (agent_id, user_id, calls_total, calls_completed, duration_completed_seconds, leads_total)
    SELECT agent_id, user_id, sum(calls_total), sum(calls_completed), sum(duration_completed_seconds), sum(leads_total)
    FROM agent_analytics GROUP BY agent_id, user_id`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE IF EXISTS agent_totals`.execute(db);
}
