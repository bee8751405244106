import type { ActivityRow, AnalyticsData, OverviewData } from '@perfkit/queries';
import type { AnalyticsQuery, OverviewQuery } from '../contract/query-params.js';
import { averageSeconds, rate } from '../contract/rates.js';
import type { ActivityItem, AnalyticsBody, OverviewBody } from '../contract/response-bodies.js';

function activityItem(row: ActivityRow): ActivityItem {
  const { createdAt, ...rest } = row;
  return { ...rest, createdAt: createdAt.toISOString() } as ActivityItem;
}

/**
 * The overview body from the batched loader's integer counts; rates come from
 * the shared functions, so it equals the naive body byte for byte.
 *
 * @example
 * overviewBody({ range: '30d' }, await loadOverview(db, { userId, range: '30d', now }));
 */
export function overviewBody(params: OverviewQuery, data: OverviewData): OverviewBody {
  const c = data.counts;
  return {
    range: params.range,
    period: { from: data.window.fromDay, to: data.window.toDay },
    kpis: {
      totalCalls: c.totalCalls,
      completedCalls: c.completedCalls,
      failedCalls: c.failedCalls,
      successRate: rate(c.completedCalls, c.totalCalls),
      avgDurationSec: averageSeconds(c.completedDurationSeconds, c.completedCalls),
      totalCostCents: c.totalCostCents,
      totalLeads: c.totalLeads,
      qualifiedLeads: c.qualifiedLeads,
      conversionRate: rate(c.convertedLeads, c.totalLeads),
      activeAgents: c.activeAgents,
    },
    recentActivity: data.recentActivity.map(activityItem),
  };
}

/**
 * The analytics body from the batched loader's data.
 *
 * @example
 * analyticsBody({ range: '90d', bucket: 'week' }, await loadAnalytics(db, { userId, range: '90d', bucket: 'week', now }));
 */
export function analyticsBody(params: AnalyticsQuery, data: AnalyticsData): AnalyticsBody {
  return {
    range: params.range,
    bucket: params.bucket,
    period: { from: data.window.fromDay, to: data.window.toDay },
    callsOverTime: data.callsOverTime,
    leadsOverTime: data.leadsOverTime,
    leadQuality: data.leadQuality,
    agentPerformance: data.agentPerformance.map((a) => ({
      agentId: a.agentId,
      name: a.name,
      status: a.status,
      totalCalls: a.totalCalls,
      completedCalls: a.completedCalls,
      successRate: rate(a.completedCalls, a.totalCalls),
      avgDurationSec: averageSeconds(a.completedDurationSeconds, a.completedCalls),
      totalLeads: a.totalLeads,
      convertedLeads: a.convertedLeads,
      conversionRate: rate(a.convertedLeads, a.totalLeads),
    })),
  };
}
