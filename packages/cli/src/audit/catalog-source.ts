import { createDatabase } from '@perfkit/queries';
import { catalogQueries } from '@perfkit/queries/admin';
import type { AuditQuery } from './types.js';

/**
 * Loads the query catalog of `@perfkit/queries`: every query the platform
 * runs (optimized, and the naive shapes it replaces), compiled with sample
 * parameters for the heaviest tenant.
 *
 * @example
 * const queries = await loadCatalog('postgresql://postgres@127.0.0.1:5432/app');
 */
export async function loadCatalog(connectionString: string): Promise<AuditQuery[]> {
  const handle = createDatabase({ connectionString, max: 1, applicationName: 'perf-cli audit' });
  try {
    return (await catalogQueries(handle.db)).map((q) => ({
      name: q.name,
      description: q.description,
      sql: q.sql,
      parameters: [...q.parameters],
    }));
  } finally {
    await handle.destroy();
  }
}
