import { type Kysely, sql } from 'kysely';

/**
 * Dirty-day tracking for exact pre-aggregates: every insert, update or delete
 * on calls and leads records the touched `(agent_id, day)` pairs — the old
 * day and the new one — in `analytics_dirty`, in the writer's transaction.
 *
 * The upsert takes a row lock even when the pair is already dirty
 * (`DO UPDATE … WHERE false` locks without writing). The rollup relies on it:
 * a writer that marks a pair while the rollup holds it waits for the rollup to
 * commit and then marks it dirty again, so no change slips between the
 * rollup's snapshot and its commit.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE analytics_dirty (
      agent_id bigint NOT NULL,
      user_id bigint NOT NULL,
      day date NOT NULL,
      marked_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (agent_id, day)
    );

    CREATE FUNCTION perfkit_mark_dirty() RETURNS trigger
    LANGUAGE plpgsql
    -- Resolve analytics_dirty in the schema the migration ran in, whatever the writer's search_path.
    SET search_path FROM CURRENT
    AS $fn$
    BEGIN
      IF TG_OP <> 'DELETE' THEN
        INSERT INTO analytics_dirty (agent_id, user_id, day)
        VALUES (NEW.agent_id, NEW.user_id, (NEW.created_at AT TIME ZONE 'UTC')::date)
        ON CONFLICT (agent_id, day) DO UPDATE SET marked_at = EXCLUDED.marked_at WHERE false;
      END IF;
      IF TG_OP = 'DELETE' OR (TG_OP = 'UPDATE' AND (
           OLD.agent_id IS DISTINCT FROM NEW.agent_id
        OR (OLD.created_at AT TIME ZONE 'UTC')::date IS DISTINCT FROM (NEW.created_at AT TIME ZONE 'UTC')::date)) THEN
        INSERT INTO analytics_dirty (agent_id, user_id, day)
        VALUES (OLD.agent_id, OLD.user_id, (OLD.created_at AT TIME ZONE 'UTC')::date)
        ON CONFLICT (agent_id, day) DO UPDATE SET marked_at = EXCLUDED.marked_at WHERE false;
      END IF;
      RETURN NULL;
    END
    $fn$;

    CREATE TRIGGER calls_mark_dirty AFTER INSERT OR UPDATE OR DELETE ON calls
      FOR EACH ROW EXECUTE FUNCTION perfkit_mark_dirty();
    CREATE TRIGGER leads_mark_dirty AFTER INSERT OR UPDATE OR DELETE ON leads
      FOR EACH ROW EXECUTE FUNCTION perfkit_mark_dirty();
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    DROP TRIGGER IF EXISTS calls_mark_dirty ON calls;
    DROP TRIGGER IF EXISTS leads_mark_dirty ON leads;
    DROP FUNCTION IF EXISTS perfkit_mark_dirty();
    DROP TABLE IF EXISTS analytics_dirty;
  `.execute(db);
}
