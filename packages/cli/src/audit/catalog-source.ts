import { createDatabase } from '@perfkit/queries';
import { catalogQueries } from '@perfkit/queries/admin';
import { SchemaMissingError } from '../errors.js';
import { redactUrl } from '../util/redact-url.js';
import { searchPathSql } from '../util/schema-name.js';
import type { AuditQuery } from './types.js';

/**
 * Loads the query catalog of `@perfkit/queries`: every query the platform
 * runs (optimized, and the naive shapes it replaces), compiled with sample
 * parameters for the heaviest tenant — in `schema` (a checked name) when
 * given, else on the connection's `search_path`. A database without the
 * app's tables is a {@link SchemaMissingError}.
 *
 * @example
 * const queries = await loadCatalog('postgresql://postgres@127.0.0.1:5432/app', 'tenant_a');
 */
export async function loadCatalog(connectionString: string, schema?: string): Promise<AuditQuery[]> {
  const handle = createDatabase({ connectionString, max: 1, applicationName: 'perf-cli audit' });
  // Set on each new session before the pool hands it out (pg queues it first), so it holds
  // whatever search_path the URL or the role sets. It cannot fail on a checked name; a broken
  // connection fails the catalog's own next query.
  if (schema !== undefined)
    handle.pool.on('connect', (client) => void client.query(searchPathSql(schema)).catch(() => {}));
  try {
    return (await catalogQueries(handle.db)).map((q) => ({
      name: q.name,
      description: q.description,
      sql: q.sql,
      parameters: [...q.parameters],
    }));
  } catch (error) {
    // undefined_table: the catalog picks its sample tenant from the app's tables.
    if ((error as { code?: string }).code !== '42P01') throw error;
    throw new SchemaMissingError(
      `${redactUrl(connectionString, { keepUsername: true })} has no app schema for the query catalog (${(error as Error).message})`,
      'give the audit queries of your own',
      error,
    );
  } finally {
    await handle.destroy();
  }
}
