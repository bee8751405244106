import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadOverview, runRollup } from '../../src/index.js';
import { createTestSchema, type TestSchema } from '../../src/testing/index.js';
import { insertTenants } from '../support/platform-builder.js';

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

/** `tenant_daily` next to the sums it must equal, per tenant and day (all-zero days dropped). */
async function tenantDailyVsRollup() {
  const read = async (query: ReturnType<typeof sql>) =>
    (await query.execute(t.db)).rows.map((r) => JSON.stringify(r)).sort();
  return {
    tenantDaily: await read(sql`
      SELECT user_id, day::text, calls_total, cost_cents FROM tenant_daily
      WHERE calls_total <> 0 OR leads_total <> 0 OR cost_cents <> 0`),
    fromRollup: await read(sql`
      SELECT user_id, day::text, sum(calls_total)::bigint AS calls_total, sum(cost_cents)::bigint AS cost_cents
      FROM agent_analytics GROUP BY user_id, day HAVING sum(calls_total) <> 0`),
  };
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
    await sql`DELETE FROM agents WHERE id = ${first.agentIds[0]}`.execute(t.db);
    const { tenantDaily, fromRollup } = await tenantDailyVsRollup();
    expect(tenantDaily).toEqual(fromRollup);
    const overview = await loadOverview(t.db, { userId: first.userId, range: '30d', now: NOW });
    expect(overview.counts.totalCalls).toBe(await rawCalls(first.userId));
    expect(overview.counts.totalCalls).toBeGreaterThan(0);
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
