import { type Kysely, type Migration, type MigrationResultSet, Migrator, sql } from 'kysely';
import * as baseSchema from './migrations/0001-base-schema.js';
import * as analyticsDirty from './migrations/0002-analytics-dirty.js';
import * as changeNotify from './migrations/0003-change-notify.js';
import * as agentTotals from './migrations/0004-agent-totals.js';
import * as tenantDaily from './migrations/0005-tenant-daily.js';
import * as pinNotifySearchPath from './migrations/0006-pin-notify-search-path.js';
import * as truncateMarksDirty from './migrations/0007-truncate-marks-dirty.js';

/**
 * The base schema's migrations, in order. Performance indexes are not here:
 * they are built one at a time, CONCURRENTLY, by the index engine.
 */
export const migrations: Record<string, Migration> = {
  '0001-base-schema': baseSchema,
  '0002-analytics-dirty': analyticsDirty,
  '0003-change-notify': changeNotify,
  '0004-agent-totals': agentTotals,
  '0005-tenant-daily': tenantDaily,
  '0006-pin-notify-search-path': pinNotifySearchPath,
  '0007-truncate-marks-dirty': truncateMarksDirty,
};

/**
 * Applies every pending base-schema migration to the schema on the
 * connection's `search_path`; throws with the failing migration's name.
 *
 * @example
 * await migrateToLatest(db);
 */
// biome-ignore lint/suspicious/noExplicitAny: the Migrator works on any database type.
export async function migrateToLatest(db: Kysely<any>): Promise<MigrationResultSet> {
  // Kysely looks for its bookkeeping tables in any schema unless told which one,
  // so name ours: several schemas (one per test file) migrate side by side.
  const { rows } = await sql<{ schema: string }>`SELECT current_schema() AS schema`.execute(db);
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => migrations },
    migrationTableSchema: rows[0]?.schema,
  });
  const result = await migrator.migrateToLatest();
  if (result.error) {
    const failed = result.results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new Error(`migration ${failed} failed: ${String(result.error)}`, { cause: result.error });
  }
  return result;
}
