import { encodeAgentsCursor } from '@perfkit/queries';
import { runRollup, SEED_ANCHOR, type SeedScale } from '@perfkit/queries/admin';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Bucket, Range } from '../src/contract/query-params.js';
import type { AgentsListBody, AgentView } from '../src/contract/response-bodies.js';
import type { RunningApp } from '../src/server.js';
import { requestJson, seedTestData, startAppOn, type TestData } from './support/test-app.js';

/*
 * The differential test: the optimized app's bodies equal the naive app's,
 * through HTTP, on one data set — rolled up, with days changed since the
 * rollup by writes through the API, after the next rollup, and across a UTC
 * midnight of the injected clock. Only `config` and `configStatus` may differ
 * (they depend on ElevenLabs' timing).
 */

const RANGES: Range[] = ['7d', '30d', '90d'];
const BUCKETS: Bucket[] = ['day', 'week'];

/** The "now" both apps read; tests move it. */
const clock = { now: SEED_ANCHOR };

/** An agent without the fields that depend on ElevenLabs' timing. */
const withoutConfig = ({ config: _c, configStatus: _s, ...rest }: AgentView) => rest;

interface Pair {
  data: TestData;
  naive: RunningApp;
  optimized: RunningApp;
  close(): Promise<void>;
}

async function startPair(label: string, scale: SeedScale): Promise<Pair> {
  const data = await seedTestData(label, scale);
  const start = { now: () => clock.now };
  const naive = await startAppOn(data, { mode: 'naive', start });
  const optimized = await startAppOn(data, { mode: 'optimized', start });
  return {
    data,
    naive,
    optimized,
    async close() {
      await optimized.close();
      await naive.close();
      await data.close();
    },
  };
}

/** The same GET on both apps: both 200, the optimized body's text, and the naive one's. */
async function both(pair: Pair, path: string, key: string) {
  const [naive, optimized] = await Promise.all([
    requestJson(pair.naive.url, path, { key }),
    requestJson(pair.optimized.url, path, { key }),
  ]);
  expect([path, naive.status, optimized.status]).toEqual([path, 200, 200]);
  return { naive, optimized };
}

/** Every read of `userIds`, compared: every range and bucket, every agents page to its end, every agent. */
async function expectSameBodies(pair: Pair, userIds: readonly number[], limits: readonly number[]) {
  const keys = new Map(pair.data.manifest.users.map((user) => [user.id, user.apiKey]));
  for (const userId of userIds) {
    const key = keys.get(userId) as string;
    for (const range of RANGES) {
      const overview = await both(pair, `/api/dashboard/overview?range=${range}`, key);
      expect(overview.optimized.text).toBe(overview.naive.text);
      for (const bucket of BUCKETS) {
        const analytics = await both(pair, `/api/dashboard/analytics?range=${range}&bucket=${bucket}`, key);
        expect(analytics.optimized.text).toBe(analytics.naive.text);
      }
    }
    const agentIds: number[] = [];
    for (const limit of limits) {
      let cursor: string | null = null;
      let pages = 0;
      do {
        const path: string = `/api/agents?limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`;
        const { naive, optimized } = await both(pair, path, key);
        const [n, o] = [naive.body as AgentsListBody, optimized.body as AgentsListBody];
        expect({ ...o, agents: o.agents.map(withoutConfig) }).toEqual({
          ...n,
          agents: n.agents.map(withoutConfig),
        });
        if (limit === limits[0]) agentIds.push(...o.agents.map((agent) => agent.id));
        cursor = o.nextCursor;
        pages++;
      } while (cursor && pages < 200);
      expect(cursor).toBeNull();
    }
    for (const agentId of agentIds) {
      const { naive, optimized } = await both(pair, `/api/agents/${agentId}`, key);
      const [n, o] = [naive.body as { agent: AgentView }, optimized.body as { agent: AgentView }];
      expect(withoutConfig(o.agent)).toEqual(withoutConfig(n.agent));
    }
  }
}

/** Writes through the optimized app's API on days before the rollup's: new calls and leads, a changed lead. */
async function writeThroughApi(pair: Pair, userId: number, tag: string) {
  const user = pair.data.manifest.users.find((candidate) => candidate.id === userId);
  if (!user) throw new Error(`no user ${userId}`);
  const agent = await pair.data.schema.db
    .selectFrom('agents')
    .select('id')
    .where('user_id', '=', userId)
    .orderBy('id')
    .executeTakeFirst();
  if (!agent) return;
  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    requestJson(pair.optimized.url, path, { key: user.apiKey, method: 'POST', body, headers });
  for (const [n, daysAgo] of [3, 20, 45].entries()) {
    const endedAt = new Date(clock.now.getTime() - daysAgo * 86_400_000).toISOString();
    const response = await post(
      '/api/webhooks/call-ended',
      {
        agentId: agent.id,
        status: n === 1 ? 'failed' : 'completed',
        durationSeconds: 60 + n,
        costCents: 7,
        endedAt,
        lead: { name: `Lead ${tag} ${n}`, phone: '+15550100', score: 40 + 25 * n },
      },
      { 'idempotency-key': `diff-${tag}-${userId}-${n}` },
    );
    expect(response.status).toBe(201);
  }
  const created = await post('/api/leads', { agentId: agent.id, name: `Walk-in ${tag}`, phone: '+15550101' });
  expect(created.status).toBe(201);
  const leadId = (created.body as { id: number }).id;
  const updated = await requestJson(pair.optimized.url, `/api/leads/${leadId}`, {
    key: user.apiKey,
    method: 'PATCH',
    body: { status: 'converted', score: 88 },
  });
  expect(updated.status).toBe(200);
}

describe('differential through HTTP: optimized bodies equal naive bodies', () => {
  describe('tiny, every tenant', () => {
    let pair: Pair;
    let userIds: number[];
    beforeAll(async () => {
      clock.now = SEED_ANCHOR;
      pair = await startPair('diff_tiny', 'tiny');
      userIds = pair.data.manifest.users.map((user) => user.id);
    });
    afterAll(() => pair?.close());

    it('on rolled-up data', async () => {
      await expectSameBodies(pair, userIds, [3, 50]);
    });

    it('after writes through the API (before the next rollup), and after that rollup', async () => {
      for (const userId of userIds) await writeThroughApi(pair, userId, 'tiny');
      await expectSameBodies(pair, userIds, [3, 50]);

      await runRollup(pair.data.schema.db);
      await expectSameBodies(pair, userIds, [3, 50]);
    });

    it('reports every tenant’s true total on a page past the end, with the cache on or off', async () => {
      const uncached = await startAppOn(pair.data, { mode: 'optimized', config: { cache: 'off' } });
      try {
        const pastTheEnd = encodeAgentsCursor({ createdAt: '2000-01-01T00:00:00.000000Z', id: 1 });
        for (const user of pair.data.manifest.users) {
          const bodies = await Promise.all(
            [pair.naive, pair.optimized, uncached].map(async (app) => {
              const response = await requestJson(app.url, `/api/agents?cursor=${pastTheEnd}`, {
                key: user.apiKey,
              });
              return response.body;
            }),
          );
          const expected = { agents: [], nextCursor: null, total: user.agents };

          expect(bodies).toEqual([expected, expected, expected]);
        }
      } finally {
        await uncached.close();
      }
    });

    it('across a UTC midnight of the injected clock', async () => {
      clock.now = new Date('2026-11-01T23:59:59.500Z');
      await expectSameBodies(pair, userIds, [50]);
      clock.now = new Date('2026-11-02T00:00:00.500Z');
      await expectSameBodies(pair, userIds, [50]);
    });
  });

  describe('small, ten tenants with the heavy one', () => {
    let pair: Pair;
    let userIds: number[];
    beforeAll(async () => {
      clock.now = SEED_ANCHOR;
      pair = await startPair('diff_small', 'small');
      const { users, heavyUser } = pair.data.manifest;
      const others = users.filter((user) => user.id !== heavyUser.id);
      userIds = [
        heavyUser.id,
        ...others
          .filter((_, n) => n % 11 === 0)
          .slice(0, 9)
          .map((user) => user.id),
      ];
    }, 300_000);
    afterAll(() => pair?.close());

    it('before and after writes through the API, and after the next rollup', async () => {
      expect(userIds).toHaveLength(10);
      await expectSameBodies(pair, userIds, [50]);

      await writeThroughApi(pair, pair.data.manifest.heavyUser.id, 'small');
      await expectSameBodies(pair, [pair.data.manifest.heavyUser.id], [7]);

      await runRollup(pair.data.schema.db);
      await expectSameBodies(pair, [pair.data.manifest.heavyUser.id], [50]);
    }, 600_000);
  });
});
