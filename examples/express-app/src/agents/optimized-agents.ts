import type { AgentConfigEntry, ElevenLabsClient } from '@perfkit/external';
import type { RequestTimer } from '@perfkit/monitor';
import { loadAgent, loadAgentsPage, type TenantCountCache } from '@perfkit/queries';
import { cachedReply, dataKeys, dataTags } from '../cache/cached-reads.js';
import type { AgentsListBody } from '../contract/response-bodies.js';
import { type RenderedBody, type Reply, renderBody } from '../http/reply.js';
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
  const { cached, policies, reads } = deps;

  /** Each agent's config entry, in the agents' order (the client answers in the order asked), within the budget. */
  async function configEntries(
    agents: readonly AgentData[],
    timer: RequestTimer,
  ): Promise<(AgentConfigEntry | undefined)[]> {
    if (agents.length === 0) return [];
    return timer.time('elevenlabs', () =>
      deps.elevenLabs.getAgentConfigs(
        agents.map((a) => a.elevenlabsAgentId),
        { budgetMs: deps.budgetMs },
      ),
    );
  }

  const allFresh = (entries: readonly (AgentConfigEntry | undefined)[]) =>
    entries.every((entry) => entry?.status === 'fresh');

  function reply(rendered: RenderedBody, cache: Reply['cache'], fresh: boolean): Reply {
    // A config still coming must not be pinned in the browser: it revalidates until all are fresh.
    const policy = fresh ? policies.agents : { ...policies.agents, browserMaxAgeSeconds: 0 };
    return cachedReply({ value: rendered, ...(cache ? { cache } : {}) }, policy);
  }

  const renderedPages = new RenderedPages();

  return {
    async agentsList({ userId, timer }, params) {
      const page = await cached.get<AgentsPageData>(
        dataKeys.agentsPage(userId, params.limit, params.after),
        async () => {
          const data = await timedRead(reads, timer, (db) =>
            loadAgentsPage(
              db,
              { userId, limit: params.limit, ...(params.after ? { after: params.after } : {}) },
              deps.counts ? { counts: deps.counts } : {},
            ),
          );
          return { agents: data.agents.map(agentData), nextCursor: data.nextCursor, total: data.total };
        },
        { api: 'agents', tags: [dataTags.user(userId)], timer },
      );
      const { agents, nextCursor, total } = page.value;
      const entries = await configEntries(agents, timer);
      const rendered = renderedPages.render(page.value, entries, () => {
        const body: AgentsListBody = {
          agents: agents.map((agent, i) => withConfig(agent, entries[i])),
          nextCursor,
          total,
        };
        return renderBody(userId, body);
      });
      return reply(rendered, page.cache, allFresh(entries));
    },
    async agent({ userId, timer }, { agentId }) {
      const found = await cached.get<AgentData | null>(
        dataKeys.agent(userId, agentId),
        async () => {
          const agent = await timedRead(reads, timer, (db) => loadAgent(db, { userId, agentId }));
          return agent && agentData(agent);
        },
        { api: 'agents', tags: [dataTags.user(userId), dataTags.agent(agentId)], timer },
      );
      if (!found.value) return null;
      const entries = await configEntries([found.value], timer);
      const body = { agent: withConfig(found.value, entries[0]) };
      return reply(renderBody(userId, body), found.cache, allFresh(entries));
    },
  };
}

/**
 * The last rendered body of each cached page, reused while every agent's config entry is the same object
 * with the same status. A warm page and its configs are shared, frozen objects from the caches, so on a
 * warm cache nearly every request reuses the JSON and its ETag, most of an agents request's CPU. Keyed by
 * the page object itself: a page is one user's, and an evicted page takes its rendering with it.
 */
class RenderedPages {
  private readonly last = new WeakMap<
    AgentsPageData,
    { entries: readonly (AgentConfigEntry | undefined)[]; rendered: RenderedBody }
  >();

  render(
    page: AgentsPageData,
    entries: readonly (AgentConfigEntry | undefined)[],
    render: () => RenderedBody,
  ): RenderedBody {
    const previous = this.last.get(page);
    if (previous && sameConfigs(previous.entries, entries)) return previous.rendered;
    const rendered = render();
    this.last.set(page, { entries, rendered });
    return rendered;
  }
}

function sameConfigs(
  a: readonly (AgentConfigEntry | undefined)[],
  b: readonly (AgentConfigEntry | undefined)[],
): boolean {
  return (
    a.length === b.length &&
    a.every((entry, i) => entry?.config === b[i]?.config && entry?.status === b[i]?.status)
  );
}
