import type { AgentConfigEntry, ElevenLabsClient } from '@perfkit/external';
import { loadAgent, loadAgentsPage, type TenantCountCache } from '@perfkit/queries';
import { cachedReply, dataKeys, dataTags } from '../cache/cached-reads.js';
import type { AgentsListBody, AgentView } from '../contract/response-bodies.js';
import { type Reply, renderBody } from '../http/reply.js';
import type { DataSource } from '../modes/app-mode.js';
import { type OptimizedReadDeps, timedRead } from '../modes/optimized-reads.js';
import { type AgentData, agentData, withConfig } from './agent-bodies.js';

/** What the optimized agents APIs need beyond the shared reads. */
export interface OptimizedAgentsDeps extends OptimizedReadDeps {
  /** The one shared client, in deadline mode, with its own cache namespace. */
  elevenLabs: Pick<ElevenLabsClient, 'getAgentConfigs'>;
  /** How long a response waits for ElevenLabs configs. */
  budgetMs: number;
  /** Exact per-tenant agent counts, so an empty last page still has its `total`. */
  counts: TenantCountCache | undefined;
}

/** A page of agents without configs: what the data cache keeps. */
interface AgentsPageData {
  agents: AgentData[];
  nextCursor: string | null;
  total: number;
}

/**
 * The agents list and detail: one batched statement per page (stats from the
 * pre-aggregates, the total from the tenant count cache), cached per user;
 * then the ElevenLabs configs within the budget, never waiting past it.
 *
 * @example
 * const { agentsList, agent } = optimizedAgents(deps);
 */
export function optimizedAgents(deps: OptimizedAgentsDeps): Pick<DataSource, 'agentsList' | 'agent'> {
  const { cached, policies, monitor } = deps;

  /** The agents with their configs, and whether every config was fresh (then the browser may reuse it). */
  async function withConfigs(
    agents: readonly AgentData[],
  ): Promise<{ views: AgentView[]; allFresh: boolean }> {
    const entries: AgentConfigEntry[] =
      agents.length === 0
        ? []
        : await monitor.timed('elevenlabs', () =>
            deps.elevenLabs.getAgentConfigs(
              agents.map((a) => a.elevenlabsAgentId),
              { budgetMs: deps.budgetMs },
            ),
          );
    const byId = new Map(entries.map((entry) => [entry.agentId, entry]));
    const views = agents.map((agent) => withConfig(agent, byId.get(agent.elevenlabsAgentId)));
    return { views, allFresh: views.every((view) => view.configStatus === 'fresh') };
  }

  function reply(userId: number, body: unknown, cache: Reply['cache'], allFresh: boolean): Reply {
    // A config still coming must not be pinned in the browser: it revalidates until all are fresh.
    const policy = allFresh ? policies.agents : { ...policies.agents, browserMaxAgeSeconds: 0 };
    return cachedReply({ value: renderBody(userId, body), ...(cache ? { cache } : {}) }, policy);
  }

  return {
    async agentsList(userId, params) {
      const page = await cached.get<AgentsPageData>(
        dataKeys.agentsPage(userId, params.limit, params.after),
        async () => {
          const data = await timedRead(deps, (db) =>
            loadAgentsPage(
              db,
              { userId, limit: params.limit, ...(params.after ? { after: params.after } : {}) },
              deps.counts ? { counts: deps.counts } : {},
            ),
          );
          return { agents: data.agents.map(agentData), nextCursor: data.nextCursor, total: data.total };
        },
        { api: 'agents', tags: [dataTags.user(userId)] },
      );
      const { views, allFresh } = await withConfigs(page.value.agents);
      const body: AgentsListBody = {
        agents: views,
        nextCursor: page.value.nextCursor,
        total: page.value.total,
      };
      return reply(userId, body, page.cache, allFresh);
    },
    async agent(userId, { agentId }) {
      const found = await cached.get<AgentData | null>(
        dataKeys.agent(userId, agentId),
        async () => {
          const agent = await timedRead(deps, (db) => loadAgent(db, { userId, agentId }));
          return agent && agentData(agent);
        },
        { api: 'agents', tags: [dataTags.user(userId), dataTags.agent(agentId)] },
      );
      if (!found.value) return null;
      const { views, allFresh } = await withConfigs([found.value]);
      return reply(userId, { agent: views[0] }, found.cache, allFresh);
    },
  };
}
