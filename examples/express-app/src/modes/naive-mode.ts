import type { Monitor } from '@perfkit/monitor';
import type { Database } from '@perfkit/queries';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { naiveAgent, naiveAgentsList } from '../agents/naive-agents.js';
import { findUserIdByKey } from '../auth/api-key-auth.js';
import { naiveAnalytics } from '../dashboard/naive-analytics.js';
import { naiveOverview } from '../dashboard/naive-overview.js';
import { type Reply, renderBody } from '../http/reply.js';
import type { ElevenLabsSettings, ModeFactory } from './app-mode.js';

/** What the naive data functions use. */
export interface NaiveDeps {
  db: Kysely<Database>;
  elevenLabs: ElevenLabsSettings;
  logger: Logger;
  monitor: Monitor;
}

/** Naive replies are never cached anywhere: a browser revalidates every time. */
const reply = (userId: number, body: unknown): Reply => ({
  ...renderBody(userId, body),
  maxAgeSeconds: 0,
  staleWhileRevalidateSeconds: 0,
});

/**
 * The "before": N+1 queries over raw rows, aggregation in JavaScript,
 * ElevenLabs configs fetched one by one, no cache, no background work.
 *
 * @example
 * const mode = await createNaiveMode(resources);
 */
export const createNaiveMode: ModeFactory = async ({ db, elevenLabs, logger, monitor }) => {
  const deps: NaiveDeps = { db, elevenLabs, logger, monitor };
  const timedDb = <T>(fn: () => Promise<T>) => monitor.timed('db', fn);
  return {
    source: {
      userIdForKey: (apiKey) => findUserIdByKey(db, apiKey),
      overview: async (userId, params, now) =>
        reply(userId, await timedDb(() => naiveOverview(deps, userId, params, now))),
      analytics: async (userId, params, now) =>
        reply(userId, await timedDb(() => naiveAnalytics(deps, userId, params, now))),
      agentsList: async (userId, params, now) =>
        reply(userId, await naiveAgentsList(deps, userId, params, now)),
      agent: async (userId, params, now) => {
        const body = await naiveAgent(deps, userId, params, now);
        return body && reply(userId, body);
      },
    },
    onWrite: async () => {},
    health: () => ({}),
    close: async () => {},
  };
};
