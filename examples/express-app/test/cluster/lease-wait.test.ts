import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningApp } from '../../src/server.js';
import { requestJson, seedTestData, startAppOn, TEST_REDIS_URL, type TestData } from '../support/test-app.js';

/** The dashboards' budget; a request must not spend it waiting for another instance's load. */
const DASHBOARD_BUDGET_MS = 2_000;
/** How long the app waits on another instance's lease before loading itself (`src/cache/app-caches.ts`). */
const APP_LEASE_WAIT_MS = 1_000;

describe('an optimized instance whose key is being loaded by an instance that died', () => {
  let data: TestData;
  let app: RunningApp;
  let redis: Redis;
  let prefix: string;
  beforeAll(async () => {
    data = await seedTestData(`lease_wait_${randomBytes(2).toString('hex')}`);
    prefix = `test:${data.schema.schema}:`;
    app = await startAppOn(data, { mode: 'optimized', config: { redisUrl: TEST_REDIS_URL } });
    redis = new Redis(TEST_REDIS_URL);
  });
  afterAll(async () => {
    await app?.close();
    const keys = redis ? await redis.keys(`${prefix}*`) : [];
    if (keys.length > 0) await redis.del(...keys);
    redis?.disconnect();
    await data?.close();
  });

  it('stops waiting for its load lease within the dashboards’ budget and loads the answer itself', async () => {
    const user = data.manifest.heavyUser;
    // The lease another instance took before it died mid-load: @perfkit/cache keeps it at
    // `<prefix>cache:<namespace>:<generation>:l:<key>` until its TTL (10 s) runs out.
    const generation = (await redis.get(`${prefix}cache:data:gen`)) ?? '0';
    await redis.set(
      `${prefix}cache:data:${generation}:l:u${user.id}:overview:30d:2026-11-01`,
      'an-instance-that-died',
      'PX',
      30_000,
    );

    const started = performance.now();
    const response = await requestJson(app.url, '/api/dashboard/overview?range=30d', { key: user.apiKey });
    const elapsedMs = performance.now() - started;

    expect(response.status).toBe(200);
    expect(response.headers.get('x-cache')).toBe('miss');
    // It waited on the planted lease (a wrong key would not be waited on at all), then loaded within the
    // budget: the lease wait plus one cold load, where the cache's default wait would cost 10 s.
    expect(elapsedMs).toBeGreaterThanOrEqual(APP_LEASE_WAIT_MS);
    expect(elapsedMs).toBeLessThan(DASHBOARD_BUDGET_MS);
  });
});
