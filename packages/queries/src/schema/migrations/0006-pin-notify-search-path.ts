import { type Kysely, sql } from 'kysely';

// The NOTIFY trigger functions of 0003 call perfkit_change_channel() by its bare name.
const FUNCTIONS = ['perfkit_notify_rows()', 'perfkit_notify_agents()'];

/**
 * Pins the search_path of the NOTIFY trigger functions (0003) to the schema
 * the migration runs in, as 0002 and 0005 do for theirs: without it, a write
 * from a session whose search_path lacks this schema (a script on `public`,
 * another schema's service) fails to find `perfkit_change_channel`.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  for (const fn of FUNCTIONS)
    await sql`ALTER FUNCTION ${sql.raw(fn)} SET search_path FROM CURRENT`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const fn of FUNCTIONS) await sql`ALTER FUNCTION ${sql.raw(fn)} RESET search_path`.execute(db);
}
