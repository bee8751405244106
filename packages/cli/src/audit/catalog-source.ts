import * as queriesPackage from '@perfkit/queries';
import { PerfCliError } from '../errors.js';
import type { AuditQuery } from './types.js';

type CatalogFn = (db: queriesPackage.DatabaseHandle['db']) => Promise<AuditQuery[]>;

/**
 * Loads the query catalog of `@perfkit/queries`: every query the platform
 * runs, compiled with sample parameters for the heaviest tenant.
 *
 * @example
 * const queries = await loadCatalog('postgresql://postgres@127.0.0.1:5432/app');
 */
export async function loadCatalog(connectionString: string): Promise<AuditQuery[]> {
  const catalogQueries = (queriesPackage as unknown as { catalogQueries?: CatalogFn }).catalogQueries;
  if (typeof catalogQueries !== 'function') {
    throw new PerfCliError(
      'PERFKIT_CLI_INVALID_OPTION',
      'this version of @perfkit/queries has no query catalog: audit a file of queries with --queries FILE',
    );
  }
  const handle = queriesPackage.createDatabase({
    connectionString,
    max: 1,
    applicationName: 'perf-cli audit',
  });
  try {
    return (await catalogQueries(handle.db)).map((q) => ({
      name: q.name,
      ...(q.description ? { description: q.description } : {}),
      sql: q.sql,
      parameters: [...(q.parameters ?? [])],
    }));
  } finally {
    await handle.destroy();
  }
}
