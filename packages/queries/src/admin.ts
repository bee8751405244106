// The operator's entry point: the schema's migrations, the index engine, the rollup, the deterministic
// seed, the query catalog `perf-cli audit` explains, and platform-wide counts. Request handlers read with
// `@perfkit/queries`.
export type { CatalogOptions, CatalogQuery } from './catalog/query-catalog.js';
export { catalogQueries } from './catalog/query-catalog.js';
export type { ApproximateCounts } from './counts/tenant-counts.js';
export { approximateCounts } from './counts/tenant-counts.js';
export { pgTypes, poolConfig } from './db/connection.js';
export { isPlainIdentifier } from './db/plain-identifier.js';
export type { IndexDefinition } from './indexes/declared-indexes.js';
export { declaredIndexes } from './indexes/declared-indexes.js';
export type {
  ApplyIndexesOptions,
  DropIndexesOptions,
  DropIndexResult,
  IndexPlanStep,
  IndexResult,
  IndexSelectionOptions,
  IndexState,
  IndexTarget,
} from './indexes/index-engine.js';
export {
  APPLY_INDEXES_DEFAULTS,
  applyIndexes,
  createIndexSql,
  dropIndexes,
  dropIndexSql,
  indexStatus,
  planIndexes,
} from './indexes/index-engine.js';
export type { RollupOptions, RollupResult, RollupTimer, RollupTimerOptions } from './rollup/run-rollup.js';
export { ROLLUP_DEFAULTS, runRollup, startRollupTimer } from './rollup/run-rollup.js';
export type {
  AgentAnalyticsRow,
  AgentAnalyticsTable,
  AgentsTable,
  AgentTotalsTable,
  AnalyticsDirtyTable,
  CallsTable,
  CallUpdate,
  LeadsTable,
  LeadUpdate,
  NewAgent,
  NewCall,
  NewLead,
  UsersTable,
  WebhookDeliveriesTable,
} from './schema/database.js';
export { migrateToLatest, migrations } from './schema/migrate.js';
export type { SeedManifest, SeedOptions, SeedScale, SeedScaleSpec, TableChecksums } from './seed/index.js';
export {
  DEFAULT_SEED,
  hashApiKey,
  SEED_ANCHOR,
  SEED_DAYS,
  SEED_SCALES,
  seedDatabase,
  tableChecksums,
} from './seed/index.js';
