import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentsListBody, OverviewBody } from '../../src/contract/response-bodies.js';
import { eventually } from '../support/eventually.js';
import { offsetClock } from '../support/offset-clock.js';
import { startTestApp, TEST_REDIS_URL, type TestApp } from '../support/test-app.js';

describe('optimized mode: invalidation', () => {
  const clock = offsetClock();
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp('invalidation', {
      mode: 'optimized',
      start: { optimized: { cacheClock: clock } },
    });
  });
  afterAll(() => t?.close());

  const overview = () => t.request<OverviewBody>('/api/dashboard/overview?range=7d');

  it("drops cached answers when another service changes the user's calls (NOTIFY)", async () => {
    const before = (await overview()).body.kpis.totalCalls;
    expect((await overview()).headers.get('x-cache')).toBe('hit');

    await insertCallDirectly(t);

    const after = await eventually(overview, (r) => r.body.kpis.totalCalls === before + 1);
    expect(after.body.kpis.totalCalls).toBe(before + 1);
  });

  it('flushes its memory after losing the LISTEN connection, since notifications were missed', async () => {
    await expectMissedWriteSeen(t);
  });

  it('keeps the true total on an empty page past the end, and updates it when an agent is added', async () => {
    const first = await t.request<AgentsListBody>('/api/agents?limit=100');
    const total = first.body.total;
    const oldest = first.body.agents.at(-1);
    if (!oldest) throw new Error('no agents');
    const { rows } = await sql<{ key: string }>`
      SELECT to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS key
      FROM agents WHERE id = ${oldest.id}`.execute(t.schema.db);
    const pastTheEnd = Buffer.from(JSON.stringify([rows[0]?.key, oldest.id])).toString('base64url');

    const empty = await t.request<AgentsListBody>(`/api/agents?cursor=${pastTheEnd}`);
    expect(empty.body).toMatchObject({ agents: [], nextCursor: null, total });

    await sql`INSERT INTO agents (user_id, name, elevenlabs_agent_id, status)
      VALUES (${t.manifest.heavyUser.id}, 'New agent', 'agent_aaaaaaaaaaaaaaaaaaaaaaaaaa', 'active')`.execute(
      t.schema.db,
    );
    const grown = await eventually(
      () => t.request<AgentsListBody>(`/api/agents?cursor=${pastTheEnd}`),
      (r) => r.body.total === total + 1,
    );
    expect(grown.body.total).toBe(total + 1);
  });

  it('stops accepting a revoked API key once its cached lookup expires (AUTH_CACHE_TTL_MS, 30 s)', async () => {
    const key = t.otherUser.apiKey;
    expect((await t.request('/api/dashboard/overview', { key })).status).toBe(200);

    await sql`UPDATE users SET api_key_hash = 'revoked' WHERE id = ${t.otherUser.id}`.execute(t.schema.db);
    const withinBound = await t.request('/api/dashboard/overview', { key });
    clock.advance(30_001);
    const pastBound = await t.request('/api/dashboard/overview', { key });

    expect(withinBound.status).toBe(200);
    expect(pastBound.status).toBe(401);
  });

  it('refuses a revoked API key on writes at once, while its cached lookup still serves reads', async () => {
    // The third tenant: the heavy one serves the other tests, the other one is revoked above.
    const third = t.manifest.users.find(
      (user) => ![t.manifest.heavyUser.id, t.otherUser.id].includes(user.id),
    );
    if (!third) throw new Error('the tiny seed has no third user');
    const { apiKey: key, id } = third;
    const ownAgent = await t.schema.db
      .selectFrom('agents')
      .select('id')
      .where('user_id', '=', id)
      .executeTakeFirstOrThrow();
    expect((await t.request('/api/dashboard/overview', { key })).status).toBe(200);

    await sql`UPDATE users SET api_key_hash = 'revoked-writes' WHERE id = ${id}`.execute(t.schema.db);
    const write = await t.request('/api/leads', {
      method: 'POST',
      key,
      body: { agentId: ownAgent.id, name: 'Mallory', phone: '+15550199' },
    });
    const read = await t.request('/api/dashboard/overview', { key });

    expect(write.status).toBe(401);
    expect(read.status).toBe(200);
  });
});

/** A call written by another service, straight into the database (its triggers send the NOTIFY). */
function insertCallDirectly(t: TestApp) {
  return sql`INSERT INTO calls (user_id, agent_id, status, duration_seconds, cost_cents, created_at)
    VALUES (${t.manifest.heavyUser.id}, ${t.heavyAgentId}, 'completed', 30, 3, '2026-11-01T10:00:00Z')`.execute(
    t.schema.db,
  );
}

/** Writes a call while the app's listener is down, and expects the overview to show it anyway. */
async function expectMissedWriteSeen(t: TestApp) {
  const overview = () => t.request<OverviewBody>('/api/dashboard/overview?range=7d');
  const before = (await overview()).body.kpis.totalCalls;
  expect((await overview()).headers.get('x-cache')).toBe('hit');

  // The write commits while the listener is down (it reconnects after 50–100 ms), so its NOTIFY is lost.
  // Found by its statement, its last until the first health check 30 s after it connected.
  const { rows } = await sql<{ terminated: boolean }>`
    SELECT pg_terminate_backend(pid) AS terminated FROM pg_stat_activity
    WHERE application_name = 'perfkit-listener' AND datname = current_database()
      AND query = 'LISTEN "' || left('perfkit_changes_' || ${t.schema.schema}, 63) || '"'`.execute(
    t.schema.db,
  );
  expect(rows).toEqual([{ terminated: true }]);
  await insertCallDirectly(t);

  const after = await eventually(overview, (r) => r.body.kpis.totalCalls === before + 1);
  expect(after.body.kpis.totalCalls).toBe(before + 1);
}

describe('optimized mode with Redis: a lost LISTEN connection', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp('invalidation_redis', { mode: 'optimized', config: { redisUrl: TEST_REDIS_URL } });
  });
  afterAll(() => t?.close());

  it('clears the shared cache too, which no instance invalidated for the writes it missed', async () => {
    await expectMissedWriteSeen(t);
  });
});
