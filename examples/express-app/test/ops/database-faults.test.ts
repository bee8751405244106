import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ErrorBody } from '../../src/contract/response-bodies.js';
import type { RunningApp } from '../../src/server.js';
import { eventually } from '../support/eventually.js';
import { offsetClock } from '../support/offset-clock.js';
import { seedPrivateDatabase } from '../support/private-database.js';
import { requestJson, startAppOn, startTestApp, type TestApp, type TestData } from '../support/test-app.js';

describe('when no database connection is free', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp('pool_exhausted', { config: { poolSize: 1, poolAcquireTimeoutMs: 200 } });
  });
  afterAll(() => t?.close());

  it('answers 503 with Retry-After and a JSON error, then recovers by itself', async () => {
    // The calls table locked, the app's only connection waits inside a request.
    await withCallsLocked(t, async (unlock) => {
      const holding = t.request('/api/dashboard/overview');
      await new Promise((resolve) => setTimeout(resolve, 100));

      const refused = await t.request<ErrorBody>('/api/dashboard/analytics');

      expect(refused.status).toBe(503);
      expect(refused.headers.get('retry-after')).toBe('1');
      expect(refused.body.error.code).toBe('unavailable');
      await unlock();
      expect((await holding).status).toBe(200);
    });
    expect((await t.request('/api/dashboard/analytics')).status).toBe(200);
  });
});

describe('when a statement waits on a lock past DB_STATEMENT_TIMEOUT_MS', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp('statement_timeout', { config: { poolSize: 1, statementTimeoutMs: 300 } });
  });
  afterAll(() => t?.close());

  it('has the server cancel it: a 503 instead of a request held as long as the lock, and the connection serves on', async () => {
    await withCallsLocked(t, async () => {
      // Far above the 300 ms timeout: without it the request waits for the lock, held here until the end.
      const answer = await Promise.race([
        t.request<ErrorBody>('/api/dashboard/overview'),
        new Promise<'still waiting'>((resolve) => setTimeout(resolve, 10_000, 'still waiting')),
      ]);
      expect(answer).toMatchObject({ status: 503, body: { error: { code: 'unavailable' } } });
    });
    // The app's one pooled connection was kept, and answers.
    expect((await t.request('/api/dashboard/overview')).status).toBe(200);
  });
});

/** Runs `fn` while another session holds the calls table locked; `unlock` ends the lock early. */
async function withCallsLocked(t: TestApp, fn: (unlock: () => Promise<void>) => Promise<void>) {
  const locker = new pg.Client({ connectionString: t.schema.connectionString });
  await locker.connect();
  let locked = false;
  const unlock = async () => {
    if (locked) await locker.query('ROLLBACK');
    locked = false;
  };
  try {
    await locker.query('BEGIN');
    locked = true;
    await locker.query('LOCK TABLE calls IN ACCESS EXCLUSIVE MODE');
    await fn(unlock);
  } finally {
    await unlock();
    await locker.end();
  }
}

describe('when its database backends are killed mid-request', () => {
  let data: TestData;
  let app: RunningApp;
  beforeAll(async () => {
    // A database of its own, so that killing this app's backends reaches no other test file's.
    data = await seedPrivateDatabase('killed_backends');
    // Without a cache every request holds a pooled connection, so every kill lands on one in use.
    app = await startAppOn(data, { mode: 'optimized', config: { cache: 'off', poolSize: 4 } });
  });
  afterAll(async () => {
    await app?.close();
    await data?.close();
  });

  it('answers each request 200 or 503, never crashes, and reconnects by itself', async () => {
    const uncaught: unknown[] = [];
    const onUncaught = (error: unknown) => uncaught.push(error);
    process.on('uncaughtExceptionMonitor', onUncaught);
    const statuses = new Set<number>();
    try {
      for (let round = 0; round < 20; round++) {
        const inFlight = Array.from({ length: 8 }, () =>
          requestJson(app.url, '/api/dashboard/analytics?range=90d', { key: data.manifest.heavyUser.apiKey }),
        );
        await sql`SELECT pg_terminate_backend(pid) FROM pg_stat_activity
          WHERE datname = ${data.schema.schema} AND application_name = 'perfkit-express-app-primary'`.execute(
          data.schema.db,
        );
        for (const response of await Promise.all(inFlight)) statuses.add(response.status);
      }
      const after = await requestJson(app.url, '/api/dashboard/analytics?range=90d', {
        key: data.manifest.heavyUser.apiKey,
      });

      expect(uncaught).toEqual([]);
      expect([...statuses].filter((status) => status !== 200 && status !== 503)).toEqual([]);
      expect(after.status).toBe(200);
    } finally {
      process.off('uncaughtExceptionMonitor', onUncaught);
    }
  });
});

describe('when no database connection is free after a cached lookup of the key expired', () => {
  const clock = offsetClock();
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp('stale_auth', {
      mode: 'optimized',
      config: { poolSize: 1, poolAcquireTimeoutMs: 200 },
      start: { optimized: { cacheClock: clock } },
    });
  });
  afterAll(() => t?.close());

  it('still serves the cached dashboard stale (the key is known from before the failure)', async () => {
    expect((await t.request('/api/dashboard/overview?range=7d')).status).toBe(200);
    // Past the overview's ttl + swr (6 min) and the key lookup's AUTH_CACHE_TTL_MS (30 s).
    clock.advance(7 * 60_000);
    const locker = new pg.Client({ connectionString: t.schema.connectionString });
    await locker.connect();
    try {
      await locker.query('BEGIN');
      await locker.query('LOCK TABLE calls, leads, agent_analytics IN ACCESS EXCLUSIVE MODE');
      const lockerPid = (await locker.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]?.pid;
      // The app's only connection waits on the lock inside another user's request.
      const holding = t.request('/api/dashboard/analytics?range=90d', { key: t.otherUser.apiKey });
      await eventually(
        () =>
          sql<{ n: number }>`SELECT count(*)::int AS n FROM pg_stat_activity
          WHERE ${lockerPid} = ANY(pg_blocking_pids(pid))`.execute(t.schema.db),
        (result) => (result.rows[0]?.n ?? 0) > 0,
      );

      const stale = await t.request('/api/dashboard/overview?range=7d');

      expect(stale.status).toBe(200);
      expect(stale.headers.get('x-cache')).toBe('stale');
      await locker.query('ROLLBACK');
      expect((await holding).status).toBe(200);
    } finally {
      await locker.end();
    }
  });
});
