import { type Kysely, sql } from 'kysely';

// The additive columns of agent_analytics as of this migration (frozen here,
// like the rest of a migration, rather than imported from code that evolves).
const COLUMNS = [
  'calls_total',
  'calls_completed',
  'calls_failed',
  'duration_completed_seconds',
  'cost_cents',
  'leads_total',
  'leads_qualified',
  'leads_converted',
  'leads_hot',
  'leads_warm',
  'leads_cold',
  'leads_unscored',
];
const list = (f: (column: string) => string) => COLUMNS.map(f).join(', ');
const METRICS = list((c) => c);
const SUMS = list((c) => `sum(${c})`);

/**
 * Per-tenant daily sums of `agent_analytics`, so that a tenant's dashboard
 * reads one row per day instead of one per agent and day; and each agent's
 * newest call in `agent_totals`, so the agents list needs no lookup per agent.
 *
 * `tenant_daily` is kept by statement-level triggers on `agent_analytics`,
 * from the changed rows only: whatever changes the rollup (the rollup itself,
 * an agent's deletion cascading to its rows, a TRUNCATE) changes the tenant's days in
 * the same transaction, so at every commit a row equals the sum of its
 * tenant's rollup rows of that day.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  // The rollup's lock first (a rollup takes it before its table locks), so no
  // rollup runs until the triggers and the backfill are committed together.
  await sql`SELECT pg_advisory_xact_lock(hashtextextended(current_schema() || '.perfkit.rollup', 0))`.execute(
    db,
  );
  await sql`
    CREATE TABLE tenant_daily (
      user_id bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
      day date NOT NULL,
      ${sql.raw(list((c) => `${c} bigint NOT NULL`))},
      PRIMARY KEY (user_id, day)
    )`.execute(db);

  // One function for the three triggers: each sees only its own transition
  // tables, so the deltas are built per operation. Sorted upserts keep two
  // transactions that touch the same days from deadlocking. A user being
  // deleted is skipped: the cascade removes their days anyway, and a row
  // written for them would break the foreign key.
  const upsert = (deltas: string) => `
      INSERT INTO tenant_daily (user_id, day, ${METRICS})
      SELECT user_id, day, ${SUMS} FROM (${deltas}) d
      WHERE EXISTS (SELECT 1 FROM users u WHERE u.id = d.user_id)
      GROUP BY user_id, day ORDER BY user_id, day
      ON CONFLICT (user_id, day) DO UPDATE SET ${list((c) => `${c} = tenant_daily.${c} + excluded.${c}`)};`;
  // A day left without calls and leads has no rollup rows (the rollup writes
  // none for such days), so its row goes too, as if it had never been written.
  const dropEmptyDays = `
      DELETE FROM tenant_daily t USING (SELECT DISTINCT user_id, day FROM old_rows) k
      WHERE t.user_id = k.user_id AND t.day = k.day AND t.calls_total = 0 AND t.leads_total = 0;`;
  const fromNew = `SELECT user_id, day, ${METRICS} FROM new_rows`;
  const fromOld = `SELECT user_id, day, ${list((c) => `-${c} AS ${c}`)} FROM old_rows`;
  await sql`
    CREATE FUNCTION perfkit_tenant_daily_apply() RETURNS trigger LANGUAGE plpgsql
    -- Resolve tenant_daily and users in the schema the migration ran in, whatever the writer's search_path.
    SET search_path FROM CURRENT
    AS $$
    BEGIN
      IF TG_OP = 'TRUNCATE' THEN
        DELETE FROM tenant_daily;
      ELSIF TG_OP = 'INSERT' THEN
        ${sql.raw(upsert(fromNew))}
      ELSIF TG_OP = 'DELETE' THEN
        ${sql.raw(upsert(fromOld))}
        ${sql.raw(dropEmptyDays)}
      ELSE
        ${sql.raw(upsert(`${fromNew} UNION ALL ${fromOld}`))}
        ${sql.raw(dropEmptyDays)}
      END IF;
      RETURN NULL;
    END $$`.execute(db);
  await sql`
    CREATE TRIGGER tenant_daily_on_insert AFTER INSERT ON agent_analytics
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION perfkit_tenant_daily_apply()`.execute(
    db,
  );
  await sql`
    CREATE TRIGGER tenant_daily_on_delete AFTER DELETE ON agent_analytics
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION perfkit_tenant_daily_apply()`.execute(
    db,
  );
  await sql`
    CREATE TRIGGER tenant_daily_on_update AFTER UPDATE ON agent_analytics
    REFERENCING NEW TABLE AS new_rows OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION perfkit_tenant_daily_apply()`.execute(db);

  await sql`
    CREATE TRIGGER tenant_daily_on_truncate AFTER TRUNCATE ON agent_analytics
    FOR EACH STATEMENT EXECUTE FUNCTION perfkit_tenant_daily_apply()`.execute(db);

  await sql`ALTER TABLE agent_totals ADD COLUMN last_call_at timestamptz`.execute(db);

  // Backfill from the existing rollup.
  await sql`
    INSERT INTO tenant_daily (user_id, day, ${sql.raw(METRICS)})
    SELECT user_id, day, ${sql.raw(SUMS)} FROM agent_analytics GROUP BY user_id, day`.execute(db);
  await sql`
    UPDATE agent_totals t SET last_call_at = a.last_call_at
    FROM (SELECT agent_id, max(last_call_at) AS last_call_at FROM agent_analytics GROUP BY agent_id) a
    WHERE a.agent_id = t.agent_id`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE agent_totals DROP COLUMN IF EXISTS last_call_at`.execute(db);
  await sql`DROP TABLE IF EXISTS tenant_daily`.execute(db);
  await sql`DROP FUNCTION IF EXISTS perfkit_tenant_daily_apply() CASCADE`.execute(db);
}
