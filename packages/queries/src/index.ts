export type { AgentStatsParams, AgentStatsRow } from './agents/agent-stats-query.js';
export { agentStatsQuery } from './agents/agent-stats-query.js';
export type { AgentSortKey } from './agents/agents-cursor.js';
export { AGENT_SORT_KEY_FORMAT, decodeAgentsCursor, encodeAgentsCursor } from './agents/agents-cursor.js';
export type {
  AgentListRow,
  AgentPageStatsRow,
  AgentsPage,
  AgentsPageParams,
  AgentWithStats,
  LoadAgentsPageOptions,
} from './agents/agents-page-query.js';
export {
  agentsPageQuery,
  agentsPageWithStatsQuery,
  loadAgent,
  loadAgentsPage,
} from './agents/agents-page-query.js';
export type {
  AgentPerformanceRow,
  AnalyticsData,
  AnalyticsParams,
  DailySeriesRow,
  LeadQualityCounts,
} from './analytics/analytics-query.js';
export {
  agentPerformanceQuery,
  analyticsQuery,
  dailySeriesQuery,
  leadQualityQuery,
  loadAnalytics,
} from './analytics/analytics-query.js';
export type { DailyScope, ExactDailyRow } from './analytics/daily-metrics.js';
export { exactDailyQuery } from './analytics/daily-metrics.js';
export type { Bucket, DayWindow, RangeName } from './analytics/date-window.js';
export { bucketStart, bucketStarts, dayWindow, utcDay } from './analytics/date-window.js';
export type {
  ActivityRow,
  OverviewCounts,
  OverviewData,
  OverviewParams,
  RecentActivityParams,
  TenantDaysParams,
} from './analytics/overview-query.js';
export { loadOverview, overviewCountsQuery, recentActivityQuery } from './analytics/overview-query.js';
export type { InstantRange } from './catalog/naive-queries.js';
export { naiveQueries } from './catalog/naive-queries.js';
export type { CatalogOptions, CatalogQuery } from './catalog/query-catalog.js';
export { catalogQueries } from './catalog/query-catalog.js';
export type {
  ChangeListener,
  ChangeNotification,
  ListenForChangesOptions,
  ReconnectInfo,
} from './changes/change-listener.js';
export { LISTEN_DEFAULTS, listenForChanges } from './changes/change-listener.js';
export type { ApproximateCounts, TenantCountCacheOptions } from './counts/tenant-counts.js';
export { agentCountQuery, approximateCounts, TenantCountCache } from './counts/tenant-counts.js';
export type { DatabaseHandle, DatabaseOptions } from './db/connection.js';
export { createDatabase, DEFAULT_DATABASE_URL, pgTypes, poolConfig } from './db/connection.js';
export {
  InvalidCursorError,
  InvalidOptionError,
  InvalidQueryParamsError,
  QueriesError,
  type QueriesErrorCode,
} from './errors.js';
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
  Agent,
  AgentAnalyticsRow,
  AgentAnalyticsTable,
  AgentStatus,
  AgentsTable,
  AgentTotalsTable,
  AnalyticsDirtyTable,
  Call,
  CallStatus,
  CallsTable,
  CallUpdate,
  Database,
  Lead,
  LeadStatus,
  LeadsTable,
  LeadUpdate,
  NewAgent,
  NewCall,
  NewLead,
  User,
  UsersTable,
  WebhookDeliveriesTable,
} from './schema/database.js';
export { AGENT_STATUSES, CALL_STATUSES, LEAD_STATUSES } from './schema/database.js';
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
