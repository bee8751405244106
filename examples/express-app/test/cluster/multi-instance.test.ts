import { randomBytes } from 'node:crypto';
import diagnostics from 'node:diagnostics_channel';
import type { IncomingMessage } from 'node:http';
import { SEED_ANCHOR } from '@perfkit/queries/admin';
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { OverviewBody } from '../../src/contract/response-bodies.js';
import type { LeadBody } from '../../src/contract/write-bodies.js';
import type { RunningApp } from '../../src/server.js';
import { requestJson, seedTestData, startAppOn, TEST_REDIS_URL, type TestData } from '../support/test-app.js';

/*
 * Two optimized instances on one data set, sharing the real Redis (L2, the
 * invalidation bus and load leases) under one key prefix. Their cache clock
 * is frozen, so an entry never expires: what one instance sees of the
 * other's write comes from invalidation alone.
 */

const DAY_MS = 86_400_000;
/** A generous bound on cross-instance visibility; the benchmark measures the real figure. */
const VISIBLE_WITHIN_MS = 5_000;
const CONCURRENT_REQUESTS = 50;

describe('two optimized instances sharing Redis', () => {
  let data: TestData;
  let instances: [RunningApp, RunningApp];
  let prefix: string;
  let key: string;
  let agentId: number;

  beforeAll(async () => {
    data = await seedTestData(`cluster_${randomBytes(2).toString('hex')}`);
    prefix = `test:${data.schema.schema}:`;
    const frozenAt = SEED_ANCHOR.getTime();
    const start = () =>
      startAppOn(data, {
        mode: 'optimized',
        config: { redisUrl: TEST_REDIS_URL, rollupIntervalMs: DAY_MS },
        start: { optimized: { redisPrefix: prefix, cacheClock: { now: () => frozenAt } } },
      });
    instances = [await start(), await start()];
    key = data.manifest.heavyUser.apiKey;
    const agent = await data.schema.db
      .selectFrom('agents')
      .select('id')
      .where('user_id', '=', data.manifest.heavyUser.id)
      .orderBy('id')
      .executeTakeFirstOrThrow();
    agentId = agent.id;
  });

  afterAll(async () => {
    for (const app of instances ?? []) await app?.close();
    const redis = new Redis(TEST_REDIS_URL);
    try {
      const keys = prefix ? await redis.keys(`${prefix}*`) : [];
      if (keys.length > 0) await redis.del(...keys);
    } finally {
      redis.disconnect();
    }
    await data?.close();
  });

  const overview = (app: RunningApp, range: string) =>
    requestJson<OverviewBody>(app.url, `/api/dashboard/overview?range=${range}`, { key });

  /** Loader runs of the data cache on both instances: each foreground load follows exactly one `miss` event. */
  const dataLoads = () =>
    instances
      .map((app) => app.monitor.snapshot().cache.find((stats) => stats.namespace === 'data')?.misses ?? 0)
      .reduce((sum, misses) => sum + misses, 0);

  it('share L2 and the bus through Redis', () => {
    expect(instances.map((app) => app.mode.health().cache)).toEqual(['redis', 'redis']);
  });

  it("shows a lead created through instance A in instance B's next read, within a bounded delay", async () => {
    const [a, b] = instances;
    const before = await overview(b, '7d');
    expect((await overview(b, '7d')).headers.get('x-cache')).toBe('hit');

    const created = await requestJson<LeadBody>(a.url, '/api/leads', {
      method: 'POST',
      key,
      body: { agentId, name: 'Seen by every instance', phone: '+15550197' },
    });
    expect(created.status).toBe(201);

    const shown = (body: OverviewBody) =>
      body.recentActivity.some((item) => item.type === 'lead' && item.id === created.body.id);
    await vi.waitUntil(async () => shown((await overview(b, '7d')).body), {
      timeout: VISIBLE_WITHIN_MS,
      interval: 5,
    });
    const after = await overview(b, '7d');
    expect(after.body.kpis.totalLeads).toBe(before.body.kpis.totalLeads + 1);
  });

  it('runs the loader once in total for a cold key requested 50 times at once across both instances', async () => {
    const path = '/api/dashboard/overview?range=90d';
    // Auth lookups first, so the burst below reaches the data cache without a query of its own.
    for (const app of instances) expect((await overview(app, '30d')).status).toBe(200);
    const loadsBefore = dataLoads();

    // The loader is held on a lock the test owns, so every request arrives while the one load is running.
    const lock = new pg.Client({ connectionString: data.schema.connectionString });
    await lock.connect();
    let held = true;
    let started = 0;
    let finishedWhileHeld = 0;
    const onStart = ({ request }: { request: IncomingMessage }) => {
      if (request.url === path) started++;
    };
    const onFinish = ({ request }: { request: IncomingMessage }) => {
      if (request.url === path && held) finishedWhileHeld++;
    };
    diagnostics.subscribe('http.server.request.start', onStart as (message: unknown) => void);
    diagnostics.subscribe('http.server.response.finish', onFinish as (message: unknown) => void);
    try {
      await lock.query('BEGIN');
      await lock.query('LOCK TABLE agent_analytics IN ACCESS EXCLUSIVE MODE');
      const [a, b] = instances;
      const responses = Promise.all(
        Array.from({ length: CONCURRENT_REQUESTS }, (_, i) =>
          requestJson<OverviewBody>((i % 2 === 0 ? a : b).url, path, { key }),
        ),
      );
      await vi.waitUntil(
        async () => {
          const { rows } = await lock.query<{ waiting: number }>(
            `SELECT count(*)::int AS waiting FROM pg_locks
             WHERE relation = 'agent_analytics'::regclass AND NOT granted`,
          );
          return started === CONCURRENT_REQUESTS && (rows[0]?.waiting ?? 0) > 0;
        },
        { timeout: 10_000, interval: 10 },
      );
      held = false;
      await lock.query('COMMIT');

      const results = await responses;
      expect(results.map((response) => response.status)).toEqual(Array(CONCURRENT_REQUESTS).fill(200));
      expect(new Set(results.map((response) => response.text)).size).toBe(1);
      expect(finishedWhileHeld).toBe(0);
      expect(dataLoads() - loadsBefore).toBe(1);
    } finally {
      diagnostics.unsubscribe('http.server.request.start', onStart as (message: unknown) => void);
      diagnostics.unsubscribe('http.server.response.finish', onFinish as (message: unknown) => void);
      await lock.end();
    }
  });
});
