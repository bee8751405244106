import { bucketStart, bucketStarts, dayWindow, naiveQueries, utcDay } from '@perfkit/queries';
import type { AnalyticsQuery } from '../contract/query-params.js';
import { averageSeconds, rate } from '../contract/rates.js';
import type { AgentPerformance, AnalyticsBody } from '../contract/response-bodies.js';
import type { NaiveDeps } from '../modes/naive-mode.js';
import { isQualified, leadQuality } from './dashboard-rules.js';

interface CallPoint {
  bucketStart: string;
  total: number;
  completed: number;
  failed: number;
}

interface LeadPoint {
  bucketStart: string;
  total: number;
  qualified: number;
  converted: number;
}

/**
 * The analytics charts as the platform computes them today: for each agent,
 * its raw calls and leads of the range (one query per agent and table, the
 * catalog's `naiveQueries`), then
 * bucketing, lead quality and per-agent performance in JavaScript.
 *
 * @example
 * const body = await naiveAnalytics(deps, userId, { range: '90d', bucket: 'week' }, now);
 */
export async function naiveAnalytics(
  deps: NaiveDeps,
  userId: number,
  params: AnalyticsQuery,
  now: Date,
): Promise<AnalyticsBody> {
  const { db } = deps;
  const window = dayWindow(params.range, now);
  const starts = bucketStarts(window, params.bucket);
  const callsByBucket = new Map<string, CallPoint>(
    starts.map((start) => [start, { bucketStart: start, total: 0, completed: 0, failed: 0 }]),
  );
  const leadsByBucket = new Map<string, LeadPoint>(
    starts.map((start) => [start, { bucketStart: start, total: 0, qualified: 0, converted: 0 }]),
  );
  const quality = { hot: 0, warm: 0, cold: 0, unscored: 0 };
  const performance: AgentPerformance[] = [];

  const agents = await naiveQueries.agentsOfUser(db, { userId }).execute();

  for (const agent of agents) {
    const calls = await naiveQueries.callsOfAgentInRange(db, { agentId: agent.id, ...window }).execute();
    let completed = 0;
    let completedSeconds = 0;
    for (const call of calls) {
      const point = callsByBucket.get(bucketStart(utcDay(call.created_at), params.bucket));
      if (!point) continue;
      point.total++;
      if (call.status === 'completed') {
        point.completed++;
        completed++;
        completedSeconds += call.duration_seconds;
      } else if (call.status === 'failed') {
        point.failed++;
      }
    }

    const leads = await naiveQueries.leadsOfAgentInRange(db, { agentId: agent.id, ...window }).execute();
    let converted = 0;
    for (const lead of leads) {
      const point = leadsByBucket.get(bucketStart(utcDay(lead.created_at), params.bucket));
      if (!point) continue;
      point.total++;
      if (isQualified(lead.status)) point.qualified++;
      if (lead.status === 'converted') {
        point.converted++;
        converted++;
      }
      quality[leadQuality(lead.score)]++;
    }

    performance.push({
      agentId: agent.id,
      name: agent.name,
      status: agent.status,
      totalCalls: calls.length,
      completedCalls: completed,
      successRate: rate(completed, calls.length),
      avgDurationSec: averageSeconds(completedSeconds, completed),
      totalLeads: leads.length,
      convertedLeads: converted,
      conversionRate: rate(converted, leads.length),
    });
  }

  return {
    range: params.range,
    bucket: params.bucket,
    period: { from: window.fromDay, to: window.toDay },
    callsOverTime: [...callsByBucket.values()],
    leadsOverTime: [...leadsByBucket.values()],
    leadQuality: quality,
    agentPerformance: performance
      .sort((a, b) => b.totalCalls - a.totalCalls || a.agentId - b.agentId)
      .slice(0, 10),
  };
}
