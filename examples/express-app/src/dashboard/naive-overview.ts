import { dayWindow, naiveQueries } from '@perfkit/queries';
import type { OverviewQuery } from '../contract/query-params.js';
import { averageSeconds, rate } from '../contract/rates.js';
import type { ActivityItem, OverviewBody } from '../contract/response-bodies.js';
import type { NaiveDeps } from '../modes/naive-mode.js';
import { compareActivity, isQualified } from './dashboard-rules.js';

/**
 * The overview as the platform computes it today: the user's agents, then
 * each agent's raw calls and leads of the range, one query per agent and
 * table (N+1, the catalog's `naiveQueries`), summed in JavaScript.
 *
 * @example
 * const body = await naiveOverview(deps, userId, { range: '30d' }, now);
 */
export async function naiveOverview(
  deps: NaiveDeps,
  userId: number,
  params: OverviewQuery,
  now: Date,
): Promise<OverviewBody> {
  const { db } = deps;
  const window = dayWindow(params.range, now);
  const agents = await naiveQueries.agentsOfUser(db, { userId }).execute();

  let totalCalls = 0;
  let completedCalls = 0;
  let failedCalls = 0;
  let completedSeconds = 0;
  let totalCostCents = 0;
  let totalLeads = 0;
  let qualifiedLeads = 0;
  let convertedLeads = 0;
  const activity: ActivityItem[] = [];

  for (const agent of agents) {
    const calls = await naiveQueries.callsOfAgentInRange(db, { agentId: agent.id, ...window }).execute();
    for (const call of calls) {
      totalCalls++;
      totalCostCents += call.cost_cents;
      if (call.status === 'completed') {
        completedCalls++;
        completedSeconds += call.duration_seconds;
      } else if (call.status === 'failed') {
        failedCalls++;
      }
      activity.push({
        type: 'call',
        id: call.id,
        agentId: agent.id,
        agentName: agent.name,
        status: call.status,
        durationSeconds: call.duration_seconds,
        costCents: call.cost_cents,
        createdAt: call.created_at.toISOString(),
      });
    }

    const leads = await naiveQueries.leadsOfAgentInRange(db, { agentId: agent.id, ...window }).execute();
    for (const lead of leads) {
      totalLeads++;
      if (isQualified(lead.status)) qualifiedLeads++;
      if (lead.status === 'converted') convertedLeads++;
      activity.push({
        type: 'lead',
        id: lead.id,
        agentId: agent.id,
        agentName: agent.name,
        name: lead.name,
        status: lead.status,
        score: lead.score,
        createdAt: lead.created_at.toISOString(),
      });
    }
  }

  return {
    range: params.range,
    period: { from: window.fromDay, to: window.toDay },
    kpis: {
      totalCalls,
      completedCalls,
      failedCalls,
      successRate: rate(completedCalls, totalCalls),
      avgDurationSec: averageSeconds(completedSeconds, completedCalls),
      totalCostCents,
      totalLeads,
      qualifiedLeads,
      conversionRate: rate(convertedLeads, totalLeads),
      activeAgents: agents.filter((agent) => agent.status === 'active').length,
    },
    recentActivity: activity.sort(compareActivity).slice(0, 5),
  };
}
