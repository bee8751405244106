import { createTestSchema, startTcpProxy, type TestSchema } from '@perfkit/testing';
import { Kysely, PostgresDialect, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertTenants } from '../support/platform-builder.js';
import {
  applyIndexes,
  approximateCounts,
  createDatabase,
  type Database,
  decodeAgentsCursor,
  encodeAgentsCursor,
  InvalidCursorError,
  loadAgent,
  loadAgentsPage,
  loadAnalytics,
  loadOverview,
  runRollup,
  SEED_ANCHOR,
  type SeedManifest,
  seedDatabase,
  TenantCountCache,
} from '../support/queries.js';

let t: TestSchema;
let manifest: SeedManifest;
beforeAll(async () => {
  t = await createTestSchema('dashboard_reads');
  manifest = await seedDatabase(t.db, { scale: 'tiny' });
  await runRollup(t.db, { full: true });
  // Dirty days are recomputed through the (agent_id, created_at) indexes; without them, per dirty day, a scan.
  await applyIndexes(t.pool);
});
afterAll(() => t?.drop());

const now = SEED_ANCHOR;

describe('overview', () => {
  it('lists the 5 newest calls and leads of the range, calls first on ties, then higher ids', async () => {
    for (const user of manifest.users) {
      const { recentActivity, window } = await loadOverview(t.db, { userId: user.id, range: '7d', now });
      const raw = await sql<{ type: string; id: number; created_at: Date }>`
        SELECT 'call' AS type, id, created_at FROM calls WHERE user_id = ${user.id}
          AND created_at >= ${window.start} AND created_at < ${window.end}
        UNION ALL
        SELECT 'lead', id, created_at FROM leads WHERE user_id = ${user.id}
          AND created_at >= ${window.start} AND created_at < ${window.end}`.execute(t.db);
      const expected = raw.rows
        .sort(
          (a, b) =>
            b.created_at.getTime() - a.created_at.getTime() || a.type.localeCompare(b.type) || b.id - a.id,
        )
        .slice(0, 5)
        .map((r) => `${r.type}:${r.id}`);
      expect(recentActivity.map((r) => `${r.type}:${r.id}`)).toEqual(expected);
      expect(recentActivity.length).toBe(Math.min(5, raw.rows.length));
    }
  });

  it('counts only the active agents', async () => {
    const user = manifest.heavyUser;
    const { counts } = await loadOverview(t.db, { userId: user.id, range: '30d', now });
    const active = await t.db
      .selectFrom('agents')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('user_id', '=', user.id)
      .where('status', '=', 'active')
      .executeTakeFirstOrThrow();
    expect(counts.activeAgents).toBe(active.n);
  });
});

describe('parameters', () => {
  it('refuses a malformed range, a bucket other than day or week, and a now that is not a Date', async () => {
    const userId = manifest.heavyUser.id;
    const invalid = (param: string) =>
      expect.objectContaining({ code: 'PERFKIT_QUERIES_INVALID_PARAMS', param });
    await expect(loadOverview(t.db, { userId, range: '7days' as '7d', now })).rejects.toThrow(
      invalid('range'),
    );
    // 'month' was read as weeks.
    await expect(
      loadAnalytics(t.db, { userId, range: '30d', bucket: 'month' as 'week', now }),
    ).rejects.toThrow(invalid('bucket'));
    await expect(loadOverview(t.db, { userId, range: '7d', now: '2026-11-02' as never })).rejects.toThrow(
      invalid('now'),
    );
  });
});

describe('analytics', () => {
  it('has every daily bucket of the range, zero-filled, oldest first', async () => {
    const data = await loadAnalytics(t.db, {
      userId: manifest.heavyUser.id,
      range: '90d',
      bucket: 'day',
      now,
    });
    expect(data.callsOverTime).toHaveLength(90);
    expect(data.callsOverTime[0]?.bucketStart).toBe('2026-08-04');
    expect(data.callsOverTime.at(-1)?.bucketStart).toBe('2026-11-01');
    expect(data.leadsOverTime.map((b) => b.bucketStart)).toEqual(
      data.callsOverTime.map((b) => b.bucketStart),
    );
  });

  it('sums days into ISO weeks labelled by their Monday', async () => {
    const params = { userId: manifest.heavyUser.id, range: '30d' as const, now };
    const days = await loadAnalytics(t.db, { ...params, bucket: 'day' });
    const weeks = await loadAnalytics(t.db, { ...params, bucket: 'week' });
    for (const w of weeks.callsOverTime) expect(new Date(`${w.bucketStart}T00:00:00Z`).getUTCDay()).toBe(1);
    expect(weeks.callsOverTime[0]?.bucketStart).toBe('2026-09-28');
    const total = (xs: Array<{ total: number }>) => xs.reduce((n, x) => n + x.total, 0);
    expect(total(weeks.callsOverTime)).toBe(total(days.callsOverTime));
    expect(total(weeks.leadsOverTime)).toBe(total(days.leadsOverTime));
    expect(total(days.callsOverTime)).toBeGreaterThan(0);
  });

  it('ranks at most 10 agents by calls, ties by agent id', async () => {
    const { agentPerformance } = await loadAnalytics(t.db, {
      userId: manifest.heavyUser.id,
      range: '90d',
      bucket: 'day',
      now,
    });
    expect(agentPerformance.length).toBeLessThanOrEqual(10);
    const sorted = [...agentPerformance].sort((a, b) => b.totalCalls - a.totalCalls || a.agentId - b.agentId);
    expect(agentPerformance).toEqual(sorted);
  });
});

describe('agents list', () => {
  it('pages through every agent newest first without repeats, with the exact total', async () => {
    for (const user of manifest.users) {
      const seen: number[] = [];
      let after: ReturnType<typeof decodeAgentsCursor> | undefined;
      for (let page = 0; page < 20; page++) {
        const result = await loadAgentsPage(t.db, { userId: user.id, limit: 2, ...(after ? { after } : {}) });
        expect(result.total).toBe(user.agents);
        seen.push(...result.agents.map((a) => a.id));
        if (!result.nextCursor) break;
        after = decodeAgentsCursor(result.nextCursor);
      }
      const expected = await t.db
        .selectFrom('agents')
        .select('id')
        .where('user_id', '=', user.id)
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .execute();
      expect(seen).toEqual(expected.map((r) => r.id));
    }
  });

  it('pages past agents created before 1970: the cursor it hands out is one it takes back', async () => {
    const [tenant] = await insertTenants(t.db, { users: 1, agentsPerUser: 3 });
    const userId = tenant?.userId as number;
    await sql`UPDATE agents SET created_at = '1969-07-20T20:17:40Z' WHERE user_id = ${userId}`.execute(t.db);
    const seen: number[] = [];
    let after: ReturnType<typeof decodeAgentsCursor> | undefined;
    for (;;) {
      const page = await loadAgentsPage(t.db, { userId, limit: 1, ...(after ? { after } : {}) });
      seen.push(...page.agents.map((agent) => agent.id));
      if (page.nextCursor === null) break;
      after = decodeAgentsCursor(page.nextCursor);
    }
    expect(seen.sort()).toEqual([...(tenant?.agentIds ?? [])].sort());
  });

  it('rejects a cursor it did not make', () => {
    for (const bad of ['', 'not base64!', Buffer.from('[1,2]').toString('base64url'), 'eyJ4IjoxfQ']) {
      expect(() => decodeAgentsCursor(bad)).toThrow(InvalidCursorError);
    }
  });

  it.each([
    '2026-02-30T00:00:00.000000Z',
    '2026-13-01T00:00:00.000000Z',
    '0000-01-01T00:00:00.000000Z',
    '2026-01-01T24:00:00.000000Z',
    '2026-01-01T00:60:00.000000Z',
  ])('rejects a cursor whose timestamp %s does not round-trip', (createdAt) => {
    const cursor = Buffer.from(JSON.stringify([createdAt, 1])).toString('base64url');

    expect(() => decodeAgentsCursor(cursor)).toThrow(InvalidCursorError);
  });

  it('accepts the cursor of a leap day', () => {
    const key = { createdAt: '2028-02-29T23:59:59.999999Z', id: 3 };

    expect(decodeAgentsCursor(encodeAgentsCursor(key))).toEqual(key);
  });

  it('shows another tenant’s agent as missing', async () => {
    const [a, b] = manifest.users as [SeedManifest['users'][0], SeedManifest['users'][0]];
    const agentOfB = await t.db
      .selectFrom('agents')
      .select('id')
      .where('user_id', '=', b.id)
      .executeTakeFirstOrThrow();
    expect(await loadAgent(t.db, { userId: a.id, agentId: agentOfB.id })).toBeNull();
    expect((await loadAgent(t.db, { userId: b.id, agentId: agentOfB.id }))?.id).toBe(agentOfB.id);
  });

  it('reports the exact total on a page past the end, with or without a count cache', async () => {
    const user = manifest.users.find((u) => u.agents > 0) as SeedManifest['users'][0];
    const after = { createdAt: '2000-01-01T00:00:00.000000Z', id: 1 };
    for (const options of [{}, { counts: new TenantCountCache() }]) {
      const page = await loadAgentsPage(t.db, { userId: user.id, limit: 5, after }, options);

      expect(page).toEqual({ agents: [], nextCursor: null, total: user.agents });
    }
  });

  it('serves the total from the count cache until the tenant is invalidated', async () => {
    let clock = 0;
    const counts = new TenantCountCache({ ttlMs: 1_000, now: () => clock });
    const userId = manifest.heavyUser.id;
    const first = await loadAgentsPage(t.db, { userId, limit: 1 }, { counts });
    expect(counts.peek(userId)).toBe(first.total);
    counts.set(userId, 999);
    expect((await loadAgentsPage(t.db, { userId, limit: 1 }, { counts })).total).toBe(999);
    counts.invalidate(userId);
    expect((await loadAgentsPage(t.db, { userId, limit: 1 }, { counts })).total).toBe(first.total);
    counts.set(userId, 999);
    clock = 1_000;
    expect((await loadAgentsPage(t.db, { userId, limit: 1 }, { counts })).total).toBe(first.total);
  });
});

describe('the count cache', () => {
  it('does not keep a total read before a change whose invalidation arrived first', async () => {
    const [tenant] = await insertTenants(t.db, { users: 1, agentsPerUser: 2 });
    const userId = tenant?.userId as number;
    const url = new URL(t.connectionString);
    const proxy = await startTcpProxy({ host: url.hostname, port: Number(url.port || 5432) });
    url.host = `127.0.0.1:${proxy.port}`;
    const slow = createDatabase({ connectionString: url.href, max: 1 });
    const counts = new TenantCountCache();
    try {
      await sql`SELECT 1`.execute(slow.db); // its one connection is open, so the hold applies to it
      const release = proxy.holdReplies();
      const loading = loadAgentsPage(slow.db, { userId, limit: 10 }, { counts });
      // Far longer than the statement takes: the server has read the page, its reply is held.
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      await t.db
        .insertInto('agents')
        .values({ user_id: userId, name: 'New', elevenlabs_agent_id: 'el_new' })
        .execute();
      counts.invalidate(userId); // the change notification, heard before the read's reply
      release();

      expect((await loading).total).toBe(2); // the read's own count, from before the write
      expect(counts.peek(userId)).toBeUndefined();
      expect((await loadAgentsPage(t.db, { userId, limit: 10 }, { counts })).total).toBe(3);
      expect(counts.peek(userId)).toBe(3);
    } finally {
      await slow.destroy();
      await proxy.close();
    }
  });

  it('keeps no count read across an invalidation of its tenant or a clear, and keeps the others', () => {
    const counts = new TenantCountCache({ maxEntries: 2 });
    const before = counts.mark();
    counts.invalidate(1);
    counts.set(1, 10, before);
    counts.set(2, 20, before);
    expect([counts.peek(1), counts.peek(2)]).toEqual([undefined, 20]);

    // Tenant 1's invalidation is no longer kept once two newer ones are: a read from before it is refused.
    counts.invalidate(3);
    counts.invalidate(4);
    counts.set(1, 10, before);
    expect(counts.peek(1)).toBeUndefined();
    const afterThem = counts.mark();
    counts.set(1, 11, afterThem);
    expect(counts.peek(1)).toBe(11);

    counts.clear();
    counts.set(2, 21, afterThem);
    expect(counts.peek(2)).toBeUndefined();
  });
});

describe('counts', () => {
  it('estimates platform-wide counts from planner statistics', async () => {
    const approx = await approximateCounts(t.db);
    expect(approx).toEqual(manifest.counts);
  });
});

describe('round trips', () => {
  let counted: Kysely<Database>;
  let queries = 0;
  let tenants: Array<{ userId: number; agentIds: number[] }>;
  beforeAll(async () => {
    counted = new Kysely<Database>({
      dialect: new PostgresDialect({ pool: t.pool }),
      log: () => {
        queries++;
      },
    });
    const one = await insertTenants(t.db, { users: 1, agentsPerUser: 1 });
    const fifty = await insertTenants(t.db, { users: 1, agentsPerUser: 50 });
    tenants = [...one, ...fifty];
    for (const { userId, agentIds } of tenants) {
      await sql`
        INSERT INTO calls (user_id, agent_id, status, duration_seconds, created_at)
        SELECT ${userId}, a, 'completed', 60, ${now}::timestamptz - make_interval(hours => h)
        FROM unnest(${agentIds}::bigint[]) a, generate_series(1, 200, 7) h`.execute(t.db);
      await sql`
        INSERT INTO leads (user_id, agent_id, name, phone, score, created_at)
        SELECT ${userId}, a, 'L', '+15550100', h % 100, ${now}::timestamptz - make_interval(hours => h)
        FROM unnest(${agentIds}::bigint[]) a, generate_series(1, 200, 13) h`.execute(t.db);
    }
  });

  async function roundTrips(run: () => Promise<unknown>): Promise<number> {
    queries = 0;
    await run();
    return queries;
  }

  it('takes the same constant number of queries per API for 1 agent and for 50, dirty or rolled up', async () => {
    for (const state of ['dirty', 'rolled up']) {
      if (state === 'rolled up') await runRollup(t.db);
      const trips = [];
      for (const { userId, agentIds } of tenants) {
        const overview = await roundTrips(() => loadOverview(counted, { userId, range: '30d', now }));
        const analytics = await roundTrips(() =>
          loadAnalytics(counted, { userId, range: '90d', bucket: 'day', now }),
        );
        let page: Awaited<ReturnType<typeof loadAgentsPage>> | undefined;
        const agents = await roundTrips(async () => {
          page = await loadAgentsPage(counted, { userId, limit: 50 });
        });
        expect(page?.agents).toHaveLength(agentIds.length);
        expect(page?.agents.every((a) => a.stats.totalCalls === 29 && a.stats.lastCallAt !== null)).toBe(
          true,
        );
        trips.push({ overview, analytics, agents });
      }
      expect(trips).toEqual([
        { overview: 2, analytics: 1, agents: 1 },
        { overview: 2, analytics: 1, agents: 1 },
      ]);
    }
  });
});

describe('prepared statements', () => {
  it('runs every dashboard loader statement as a named prepared statement', async () => {
    const one = createDatabase({ connectionString: t.connectionString, max: 1 });
    try {
      const userId = manifest.heavyUser.id;
      const counts = new TenantCountCache();
      for (let run = 0; run < 2; run++) {
        await loadOverview(one.db, { userId, range: '30d', now });
        await loadAnalytics(one.db, { userId, range: '30d', bucket: 'day', now });
        const page = await loadAgentsPage(one.db, { userId, limit: 5 }, { counts });
        await loadAgent(one.db, { userId, agentId: page.agents[0]?.id ?? 0 });
        await counts.agents(one.db, userId + 1);
      }
      const { rows } = await sql<{ name: string }>`SELECT name FROM pg_prepared_statements`.execute(one.db);
      const labels = rows.map((row) => row.name.replace(/_[0-9a-f]{16}$/, '')).sort();
      // The agents page ran with and without its total (the count cache filled on the first run).
      expect(labels).toEqual([
        'agent_count',
        'agent_stats',
        'agents_page',
        'agents_page',
        'analytics',
        'overview_counts',
        'recent_activity',
      ]);
    } finally {
      await one.destroy();
    }
  });
});
