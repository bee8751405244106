// The app's entry point: what a request handler reads with. Migrations, indexes, rollups, the seed and
// the query catalog are in `@perfkit/queries/admin`.
export type { AgentStatsRow } from './agents/agent-stats-query.js';
export type { AgentSortKey } from './agents/agents-cursor.js';
export { AGENT_SORT_KEY_FORMAT, decodeAgentsCursor, encodeAgentsCursor } from './agents/agents-cursor.js';
export type {
  AgentListRow,
  AgentsPage,
  AgentsPageParams,
  AgentWithStats,
  LoadAgentsPageOptions,
} from './agents/agents-page-query.js';
export { loadAgent, loadAgentsPage } from './agents/agents-page-query.js';
export type {
  AgentPerformanceRow,
  AnalyticsData,
  AnalyticsParams,
  DailySeriesRow,
  LeadQualityCounts,
} from './analytics/analytics-query.js';
export { loadAnalytics } from './analytics/analytics-query.js';
export type { Bucket, DayWindow, RangeName } from './analytics/date-window.js';
export { bucketStart, bucketStarts, dayWindow, utcDay } from './analytics/date-window.js';
export type {
  ActivityRow,
  OverviewCounts,
  OverviewData,
  OverviewParams,
} from './analytics/overview-query.js';
export { loadOverview } from './analytics/overview-query.js';
export type { InstantRange } from './catalog/naive-queries.js';
export { naiveQueries } from './catalog/naive-queries.js';
export type {
  ChangeListener,
  ChangeNotification,
  ListenForChangesOptions,
  ReconnectInfo,
} from './changes/change-listener.js';
export { LISTEN_DEFAULTS, listenForChanges } from './changes/change-listener.js';
export type { TenantCountCacheOptions } from './counts/tenant-counts.js';
export { TenantCountCache } from './counts/tenant-counts.js';
export type { DatabaseHandle, DatabaseOptions } from './db/connection.js';
export { createDatabase, DEFAULT_DATABASE_URL, POSTGRES_MAX_TIMEOUT_MS } from './db/connection.js';
export { isConnectionError } from './db/connection-errors.js';
export { prepared } from './db/prepared-statements.js';
export {
  IndexesBusyError,
  InvalidCursorError,
  InvalidOptionError,
  InvalidQueryParamsError,
  QueriesError,
  type QueriesErrorCode,
} from './errors.js';
export type {
  Agent,
  AgentStatus,
  Call,
  CallStatus,
  Database,
  Lead,
  LeadStatus,
  User,
} from './schema/database.js';
export { AGENT_STATUSES, CALL_STATUSES, LEAD_STATUSES } from './schema/database.js';
