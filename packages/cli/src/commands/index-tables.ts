import { declaredIndexes } from '@perfkit/queries/admin';
import { SchemaMissingError } from '../errors.js';
import { connectClient } from '../util/database-url.js';
import { redactUrl } from '../util/redact-url.js';
import { requireSchema } from '../util/schema-name.js';

/**
 * Refuses a database that lacks a table the selected indexes are declared
 * on: the engine would plan them as if the tables were there, report them
 * absent, and fail on each when applying. Tables resolve as the engine's
 * do: in `schema` (refused first when the database has no such schema), or
 * on the connection's `search_path`.
 *
 * @example
 * await requireIndexTables('postgresql://postgres@127.0.0.1:5432/postgres', {}) // rejects: no table agent_analytics, …
 */
export async function requireIndexTables(
  url: string,
  selection: { schema?: string; only?: string[] },
): Promise<void> {
  const tables = [
    ...new Set(
      declaredIndexes.filter((i) => !selection.only || selection.only.includes(i.name)).map((i) => i.table),
    ),
  ];
  const client = await connectClient(url, 'perf-cli indexes');
  try {
    if (selection.schema !== undefined) await requireSchema(client, selection.schema, '--schema', url);
    const { rows } = await client.query<{ name: string }>(
      `SELECT t AS name FROM unnest($1::text[]) AS t
        WHERE to_regclass(CASE WHEN $2::text IS NULL THEN quote_ident(t) ELSE format('%I.%I', $2, t) END) IS NULL`,
      [tables, selection.schema ?? null],
    );
    if (rows.length === 0) return;
    const where = `${redactUrl(url, { keepUsername: true })}${selection.schema ? ` (schema ${selection.schema})` : ''}`;
    throw new SchemaMissingError(
      `${where} has no table ${rows.map((r) => r.name).join(', ')}, which the indexes are declared on`,
      "point --database-url (or --schema) at the app's database",
    );
  } finally {
    await client.end().catch(() => {});
  }
}
