import { type Agent, encodeAgentsCursor, naiveQueries } from '@perfkit/queries';
import { averageSeconds, rate } from '../contract/rates.js';
import type { AgentBody, AgentsListBody, AgentView } from '../contract/response-bodies.js';
import type { AgentsPageParams } from '../modes/app-mode.js';
import type { NaiveDeps } from '../modes/naive-mode.js';
import { fetchAgentConfigOnce } from './agent-config.js';

type AgentRow = Pick<Agent, 'id' | 'name' | 'status' | 'elevenlabs_agent_id' | 'created_at'>;

/**
 * One page of the user's agents as the platform builds it today: a count, the
 * page, then for each agent its raw calls and leads (all time, one query
 * each) and its ElevenLabs config, fetched one agent after another. Every
 * query is the catalog's (`naiveQueries`), which `perf-cli audit` audits.
 *
 * @example
 * const page = await naiveAgentsList(deps, userId, { limit: 20 }, now);
 */
export async function naiveAgentsList(
  deps: NaiveDeps,
  userId: number,
  params: AgentsPageParams,
  _now: Date,
): Promise<AgentsListBody> {
  const { db } = deps;
  const { total } = await naiveQueries.agentCount(db, { userId }).executeTakeFirstOrThrow();
  const rows = await naiveQueries.agentsPageOfUser(db, { userId, ...params }).execute();

  const page = rows.slice(0, params.limit);
  const agents: AgentView[] = [];
  for (const row of page) agents.push(await naiveAgentView(deps, row));
  const last = page.at(-1);
  const nextCursor =
    rows.length > params.limit && last ? encodeAgentsCursor({ createdAt: last.sort_key, id: last.id }) : null;
  return { agents, nextCursor, total };
}

/**
 * One of the user's agents, built like a list item; `null` when the user has
 * no agent with that id (someone else's agent included).
 *
 * @example
 * const body = await naiveAgent(deps, userId, { agentId: 42 }, now);
 */
export async function naiveAgent(
  deps: NaiveDeps,
  userId: number,
  params: { agentId: number },
  _now: Date,
): Promise<AgentBody | null> {
  const row = await naiveQueries.agentOfUser(deps.db, { userId, agentId: params.agentId }).executeTakeFirst();
  return row ? { agent: await naiveAgentView(deps, row) } : null;
}

async function naiveAgentView(deps: NaiveDeps, row: AgentRow): Promise<AgentView> {
  const calls = await naiveQueries.callsOfAgent(deps.db, { agentId: row.id }).execute();
  const leads = await naiveQueries.leadsOfAgent(deps.db, { agentId: row.id }).execute();

  let completed = 0;
  let completedSeconds = 0;
  let lastCallAt: Date | null = null;
  for (const call of calls) {
    if (call.status === 'completed') {
      completed++;
      completedSeconds += call.duration_seconds;
    }
    if (lastCallAt === null || call.created_at > lastCallAt) lastCallAt = call.created_at;
  }

  let config: AgentView['config'] = null;
  try {
    config = await deps.timer.time('elevenlabs', () =>
      fetchAgentConfigOnce(deps.elevenLabs, row.elevenlabs_agent_id),
    );
  } catch (error) {
    deps.logger.warn({ err: error, agentId: row.id }, 'ElevenLabs config unavailable');
  }

  return {
    id: row.id,
    name: row.name,
    status: row.status,
    elevenlabsAgentId: row.elevenlabs_agent_id,
    createdAt: row.created_at.toISOString(),
    stats: {
      totalCalls: calls.length,
      completedCalls: completed,
      successRate: rate(completed, calls.length),
      totalLeads: leads.length,
      avgDurationSec: averageSeconds(completedSeconds, completed),
      lastCallAt: lastCallAt?.toISOString() ?? null,
    },
    config,
    configStatus: config ? 'fresh' : 'unavailable',
  };
}
