import type { Database } from '@perfkit/queries';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { AgentSortKey } from '../contract/agent-cursor.js';
import type { AnalyticsQuery, OverviewQuery } from '../contract/query-params.js';
import type { AgentBody, AgentsListBody, AnalyticsBody, OverviewBody } from '../contract/response-bodies.js';

/** Where ElevenLabs is and how to authenticate to it. */
export interface ElevenLabsSettings {
  /** Base URL without a trailing slash, e.g. `https://api.elevenlabs.io`. */
  baseUrl: string;
  /** Sent as `xi-api-key`. */
  apiKey: string;
}

/** What a data function may use. */
export interface DataDeps {
  db: Kysely<Database>;
  elevenLabs: ElevenLabsSettings;
  logger: Logger;
}

/** Parameters of the agents list once the cursor is decoded. */
export interface AgentsPageParams {
  limit: number;
  after?: AgentSortKey;
}

/**
 * A data function: everything an endpoint answers, for one user, at `now`.
 * Handlers are mode-agnostic; a mode is a set of these.
 *
 * @example
 * const body = await naiveOverview(deps, userId, { range: '7d' }, new Date());
 */
export type DataFunction<P, B> = (deps: DataDeps, userId: number, params: P, now: Date) => Promise<B>;

/**
 * One mode of the app (`naive`, `optimized`): the four read endpoints'
 * bodies. `agent` resolves to `null` when the user has no such agent.
 */
export interface DataSource {
  overview: DataFunction<OverviewQuery, OverviewBody>;
  analytics: DataFunction<AnalyticsQuery, AnalyticsBody>;
  agentsList: DataFunction<AgentsPageParams, AgentsListBody>;
  agent: DataFunction<{ agentId: number }, AgentBody | null>;
}
