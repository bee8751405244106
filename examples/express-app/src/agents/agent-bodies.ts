import type { AgentConfigEntry } from '@perfkit/external';
import type { AgentWithStats } from '@perfkit/queries';
import { averageSeconds, rate } from '../contract/rates.js';
import type { AgentView } from '../contract/response-bodies.js';
import { toAgentConfig } from './agent-config.js';

/** An agent as the list shows it, before its ElevenLabs config is known. */
export type AgentData = Omit<AgentView, 'config' | 'configStatus'>;

/**
 * An agent with its all-time stats, from the batched loader's integer counts.
 *
 * @example
 * page.agents.map(agentData);
 */
export function agentData(agent: AgentWithStats): AgentData {
  const s = agent.stats;
  return {
    id: agent.id,
    name: agent.name,
    status: agent.status,
    elevenlabsAgentId: agent.elevenlabsAgentId,
    createdAt: agent.createdAt.toISOString(),
    stats: {
      totalCalls: s.totalCalls,
      completedCalls: s.completedCalls,
      successRate: rate(s.completedCalls, s.totalCalls),
      totalLeads: s.totalLeads,
      avgDurationSec: averageSeconds(s.completedDurationSeconds, s.completedCalls),
      lastCallAt: s.lastCallAt?.toISOString() ?? null,
    },
  };
}

/**
 * The agent with what deadline mode knows of its config: `fresh`, `stale`,
 * `pending` or `unavailable`, said as it is.
 *
 * @example
 * withConfig(agentData(row), entries.get(row.elevenlabsAgentId));
 */
export function withConfig(agent: AgentData, entry: AgentConfigEntry | undefined): AgentView {
  const config = entry?.config ? toAgentConfig(entry.config) : null;
  return { ...agent, config, configStatus: entry?.status ?? 'unavailable' };
}
