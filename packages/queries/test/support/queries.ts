// Everything the package's tests reach: both entry points, and the builders the entry points keep
// internal (tests compile and run them directly).

export * from '../../src/admin.js';
export { agentStatsQuery } from '../../src/agents/agent-stats-query.js';
export { agentsPageQuery, agentsPageWithStatsQuery } from '../../src/agents/agents-page-query.js';
export {
  agentPerformanceQuery,
  analyticsQuery,
  dailySeriesQuery,
  leadQualityQuery,
} from '../../src/analytics/analytics-query.js';
export { exactDailyQuery } from '../../src/analytics/daily-metrics.js';
export { overviewCountsQuery, recentActivityQuery } from '../../src/analytics/overview-query.js';
export { agentCountQuery } from '../../src/counts/tenant-counts.js';
export { MAX_NAMED_STATEMENTS } from '../../src/db/prepared-statements.js';
export * from '../../src/index.js';
