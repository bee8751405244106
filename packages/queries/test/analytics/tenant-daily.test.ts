import { createTestSchema, TEST_DATABASE_URL, type TestSchema } from '@perfkit/testing';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertTenants } from '../support/platform-builder.js';
import { loadAgentsPage, loadOverview, runRollup } from '../support/queries.js';

const NOW = new Date('2026-11-01T15:00:00Z');

let t: TestSchema;
let tenants: Array<{ userId: number; agentIds: number[] }>;
beforeAll(async () => {
  t = await createTestSchema('tenant_daily');
  tenants = await insertTenants(t.db, { users: 2, agentsPerUser: 2 });
  for (const { userId, agentIds } of tenants) {
    for (const [i, agentId] of agentIds.entries()) {
      await sql`
        INSERT INTO calls (agent_id, user_id, status, duration_seconds, cost_cents, created_at)
        SELECT ${agentId}, ${userId}, 'completed', 30, 2, ${NOW}::timestamptz - make_interval(days => d % (3 + ${i}))
        FROM generate_series(1, 12) d`.execute(t.db);
    }
  }
  await runRollup(t.db, { vacuum: false });
});
afterAll(() => t?.drop());

/** `tenant_daily` next to the sums it must equal, per tenant and day: no row more, none less. */
async function tenantDailyVsRollup() {
  const read = async (query: ReturnType<typeof sql>) =>
    (await query.execute(t.db)).rows.map((r) => JSON.stringify(r)).sort();
  return {
    tenantDaily: await read(sql`SELECT user_id, day::text, calls_total, cost_cents FROM tenant_daily`),
    fromRollup: await read(sql`
      SELECT user_id, day::text, sum(calls_total)::bigint AS calls_total, sum(cost_cents)::bigint AS cost_cents
      FROM agent_analytics GROUP BY user_id, day`),
  };
}

/** Runs `text` on a connection whose search_path is only `public`, as a script or another service would. */
async function asOutsider(text: string): Promise<void> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

async function rawCalls(userId: number): Promise<number> {
  const { rows } = await sql<{ n: number }>`
    SELECT count(*)::int AS n FROM calls WHERE user_id = ${userId} AND created_at >= ${NOW}::date - 29`.execute(
    t.db,
  );
  return rows[0]?.n ?? 0;
}

describe('tenant_daily', () => {
  it('equals the sum of its tenant-days in agent_analytics after a rollup', async () => {
    const { tenantDaily, fromRollup } = await tenantDailyVsRollup();
    expect(tenantDaily.length).toBeGreaterThan(0);
    expect(tenantDaily).toEqual(fromRollup);
  });

  it("drops a deleted agent's days, and the overview stays exact", async () => {
    const [first] = tenants;
    if (!first) throw new Error('no tenant');
    await asOutsider(`DELETE FROM ${t.schema}.agents WHERE id = ${first.agentIds[0]}`);
    const { tenantDaily, fromRollup } = await tenantDailyVsRollup();
    expect(tenantDaily).toEqual(fromRollup);
    const overview = await loadOverview(t.db, { userId: first.userId, range: '30d', now: NOW });
    expect(overview.counts.totalCalls).toBe(await rawCalls(first.userId));
    expect(overview.counts.totalCalls).toBeGreaterThan(0);
  });

  it('stays exact when the writer’s search_path does not name the schema', async () => {
    const [first] = tenants;
    if (!first) throw new Error('no tenant');
    const agentId = first.agentIds[1];
    await asOutsider(`
      INSERT INTO ${t.schema}.calls (agent_id, user_id, status, duration_seconds, cost_cents, created_at)
      VALUES (${agentId}, ${first.userId}, 'completed', 10, 3, now() - interval '400 days')`);
    await runRollup(t.db, { vacuum: false });
    await asOutsider(`DELETE FROM ${t.schema}.calls WHERE created_at < now() - interval '300 days'`);
    await runRollup(t.db, { vacuum: false });
    const { tenantDaily, fromRollup } = await tenantDailyVsRollup();
    expect(tenantDaily).toEqual(fromRollup);
  });

  it('falls back to the rollup rows for an agent whose agent_totals has no lastCallAt', async () => {
    const [first] = tenants;
    if (!first) throw new Error('no tenant');
    const agentId = first.agentIds[1] as number;
    const newest = async () =>
      (await loadAgentsPage(t.db, { userId: first.userId, limit: 10 })).agents.find((a) => a.id === agentId)
        ?.stats.lastCallAt;
    const before = await newest();
    expect(before).toBeInstanceOf(Date);
    // As a rollup from before the column would leave it.
    await sql`UPDATE agent_totals SET last_call_at = NULL WHERE agent_id = ${agentId}`.execute(t.db);
    expect(await newest()).toEqual(before);
  });

  it('deletes a deleted user’s days without breaking the cascade', async () => {
    const second = tenants[1];
    if (!second) throw new Error('no tenant');
    await sql`DELETE FROM users WHERE id = ${second.userId}`.execute(t.db);
    const { rows } = await sql<{ n: number }>`
      SELECT count(*)::int AS n FROM tenant_daily WHERE user_id = ${second.userId}`.execute(t.db);
    expect(rows[0]?.n).toBe(0);
  });

  it('is emptied by a TRUNCATE of agent_analytics and rebuilt by a full rollup', async () => {
    await sql`TRUNCATE agent_analytics`.execute(t.db);
    expect((await tenantDailyVsRollup()).tenantDaily).toEqual([]);
    await runRollup(t.db, { full: true, vacuum: false });
    const { tenantDaily, fromRollup } = await tenantDailyVsRollup();
    expect(tenantDaily.length).toBeGreaterThan(0);
    expect(tenantDaily).toEqual(fromRollup);
  });
});
