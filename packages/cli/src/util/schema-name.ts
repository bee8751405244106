import { isPlainIdentifier } from '@perfkit/queries/admin';
import type pg from 'pg';
import { InvalidOptionError } from '../errors.js';
import { redactUrl } from './redact-url.js';

/**
 * The schema name, or an {@link InvalidOptionError} naming `option` when it
 * is not a plain identifier — checked before anything connects.
 *
 * @example
 * checkSchemaName('tenant_a', '--schema') // 'tenant_a'
 * checkSchemaName('x"; DROP TABLE t; --', '--schema') // throws "--schema must be a plain identifier …"
 */
export function checkSchemaName(schema: string, option: string): string {
  if (isPlainIdentifier(schema)) return schema;
  throw new InvalidOptionError(
    option,
    `must be a plain identifier (lower-case letters, digits and _, not starting with a digit; at most 63 characters), got ${JSON.stringify(schema)}`,
  );
}

/**
 * Refuses a schema the database does not have: a command would otherwise
 * check nothing and pass (an audit of no tables has no findings).
 *
 * @example
 * await requireSchema(client, 'nosuch', '--schema', url) // throws '--schema "nosuch" does not exist in postgresql://…'
 */
export async function requireSchema(
  client: pg.ClientBase,
  schema: string,
  option: string,
  url: string,
): Promise<void> {
  const { rows } = await client.query<{ present: boolean }>(
    'SELECT to_regnamespace($1) IS NOT NULL AS present',
    [schema],
  );
  if (rows[0]?.present) return;
  throw new InvalidOptionError(
    option,
    `${JSON.stringify(schema)} does not exist in ${redactUrl(url, { keepUsername: true })}`,
  );
}

/**
 * The statement that puts a (checked) schema first on a session's
 * `search_path`, then `public`, where extensions such as HypoPG usually
 * live — the path `createDatabase({ schema })` of `@perfkit/queries` gives.
 *
 * @example
 * await client.query(searchPathSql('tenant_a')) // SET search_path TO tenant_a, public
 */
export const searchPathSql = (schema: string) => `SET search_path TO ${schema}, public`;
