import { type Kysely, sql } from 'kysely';

const TABLES = ['calls', 'leads'] as const;

/**
 * A TRUNCATE of calls or leads fires no row trigger: the pre-aggregates kept
 * every rolled-up day of the rows it removed, an incremental rollup never
 * looked at them again, and no change notification went out. A statement
 * trigger marks every rolled-up `(agent, day)` dirty (reads recompute them
 * from the raw rows at once, the next rollup rewrites them) and notifies each
 * `(user, agent)` of them, as a DELETE of every row would have.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE FUNCTION perfkit_after_truncate() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path FROM CURRENT
    AS $fn$
    BEGIN
      INSERT INTO analytics_dirty (agent_id, user_id, day)
      SELECT agent_id, user_id, day FROM agent_analytics
      ON CONFLICT (agent_id, day) DO UPDATE SET marked_at = EXCLUDED.marked_at WHERE false;
      PERFORM pg_notify(
        perfkit_change_channel(TG_TABLE_SCHEMA),
        json_build_object('userId', user_id, 'agentId', agent_id)::text
      )
      FROM (SELECT DISTINCT user_id, agent_id FROM agent_analytics) k;
      RETURN NULL;
    END
    $fn$`.execute(db);
  for (const table of TABLES) {
    await sql`
      CREATE TRIGGER ${sql.raw(`${table}_after_truncate`)} AFTER TRUNCATE ON ${sql.table(table)}
      FOR EACH STATEMENT EXECUTE FUNCTION perfkit_after_truncate()`.execute(db);
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of TABLES) {
    await sql`DROP TRIGGER IF EXISTS ${sql.raw(`${table}_after_truncate`)} ON ${sql.table(table)}`.execute(
      db,
    );
  }
  await sql`DROP FUNCTION IF EXISTS perfkit_after_truncate()`.execute(db);
}
