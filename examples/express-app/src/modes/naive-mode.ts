import type { RequestTimer } from '@perfkit/monitor';
import type { Database } from '@perfkit/queries';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { naiveAgent, naiveAgentsList } from '../agents/naive-agents.js';
import { findUserIdByKey } from '../auth/api-key-auth.js';
import { naiveAnalytics } from '../dashboard/naive-analytics.js';
import { naiveOverview } from '../dashboard/naive-overview.js';
import { type Reply, renderBody } from '../http/reply.js';
import type { ElevenLabsSettings, ModeFactory, ReadScope } from './app-mode.js';

/** What the naive data functions use, for one request. */
export interface NaiveDeps {
  db: Kysely<Database>;
  elevenLabs: ElevenLabsSettings;
  logger: Logger;
  /** The request's `Server-Timing` sections. */
  timer: RequestTimer;
}

/** Naive replies are never cached anywhere: a browser revalidates every time. */
const reply = (userId: number, body: unknown): Reply => ({
  body: renderBody(userId, body),
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
export const createNaiveMode: ModeFactory = async ({ db, elevenLabs, logger }) => {
  const depsOf = ({ timer }: ReadScope): NaiveDeps => ({ db, elevenLabs, logger, timer });
  return {
    source: {
      userIdForKey: (apiKey) => findUserIdByKey(db, apiKey),
      overview: async (scope, params) =>
        reply(
          scope.userId,
          await scope.timer.time('db', () => naiveOverview(depsOf(scope), scope.userId, params, scope.now)),
        ),
      analytics: async (scope, params) =>
        reply(
          scope.userId,
          await scope.timer.time('db', () => naiveAnalytics(depsOf(scope), scope.userId, params, scope.now)),
        ),
      agentsList: async (scope, params) =>
        reply(scope.userId, await naiveAgentsList(depsOf(scope), scope.userId, params, scope.now)),
      agent: async (scope, params) => {
        const body = await naiveAgent(depsOf(scope), scope.userId, params, scope.now);
        return body && reply(scope.userId, body);
      },
    },
    onWrite: async () => {},
    health: () => ({}),
    close: async () => {},
  };
};
