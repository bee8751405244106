import { type Kysely, sql } from 'kysely';

/**
 * Change notifications for cache invalidation: statement-level triggers with
 * transition tables on calls, leads and agents send one `pg_notify` per
 * distinct `(user_id, agent_id)` a statement touched. PostgreSQL folds
 * identical notifications of one transaction into one, so a transaction
 * emits each key once however many rows and statements it ran.
 *
 * The channel is `perfkit_changes_<schema>` (at most 63 bytes), so schemas
 * sharing a database — tests, tenants of a staging server — never hear each
 * other.
 */
/** A trigger function notifying each distinct `(user_id, <agentColumn>)` of the statement's rows. */
function notifyFunction(name: string, agentColumn: 'agent_id' | 'id') {
  const key = sql.raw(`user_id, ${agentColumn}`);
  const payload = sql.raw(`json_build_object('userId', user_id, 'agentId', ${agentColumn})::text`);
  return sql`
    CREATE FUNCTION ${sql.raw(name)}() RETURNS trigger
    LANGUAGE plpgsql AS $fn$
    DECLARE
      channel text := perfkit_change_channel(TG_TABLE_SCHEMA);
    BEGIN
      -- Each branch names only the transition tables its event has.
      IF TG_OP = 'INSERT' THEN
        PERFORM pg_notify(channel, ${payload}) FROM (SELECT DISTINCT ${key} FROM new_rows) k;
      ELSIF TG_OP = 'UPDATE' THEN
        PERFORM pg_notify(channel, ${payload})
        FROM (SELECT ${key} FROM new_rows UNION SELECT ${key} FROM old_rows) k;
      ELSE
        PERFORM pg_notify(channel, ${payload}) FROM (SELECT DISTINCT ${key} FROM old_rows) k;
      END IF;
      RETURN NULL;
    END
    $fn$`;
}

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE FUNCTION perfkit_change_channel(schema_name text) RETURNS text
    LANGUAGE sql IMMUTABLE AS $fn$ SELECT left('perfkit_changes_' || schema_name, 63) $fn$
  `.execute(db);
  await notifyFunction('perfkit_notify_rows', 'agent_id').execute(db);
  await notifyFunction('perfkit_notify_agents', 'id').execute(db);

  // PostgreSQL allows transition tables only on single-event triggers: three per table.
  for (const [table, fn] of [
    ['calls', 'perfkit_notify_rows'],
    ['leads', 'perfkit_notify_rows'],
    ['agents', 'perfkit_notify_agents'],
  ] as const) {
    await sql`
      CREATE TRIGGER ${sql.raw(`${table}_notify_insert`)} AFTER INSERT ON ${sql.table(table)}
        REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION ${sql.raw(fn)}();
      CREATE TRIGGER ${sql.raw(`${table}_notify_update`)} AFTER UPDATE ON ${sql.table(table)}
        REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION ${sql.raw(fn)}();
      CREATE TRIGGER ${sql.raw(`${table}_notify_delete`)} AFTER DELETE ON ${sql.table(table)}
        REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION ${sql.raw(fn)}();
    `.execute(db);
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['calls', 'leads', 'agents']) {
    for (const event of ['insert', 'update', 'delete']) {
      await sql`DROP TRIGGER IF EXISTS ${sql.raw(`${table}_notify_${event}`)} ON ${sql.table(table)}`.execute(
        db,
      );
    }
  }
  await sql`
    DROP FUNCTION IF EXISTS perfkit_notify_rows();
    DROP FUNCTION IF EXISTS perfkit_notify_agents();
    DROP FUNCTION IF EXISTS perfkit_change_channel(text);
  `.execute(db);
}
