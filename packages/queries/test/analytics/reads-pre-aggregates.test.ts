import { createTestSchema, type TestSchema } from '@perfkit/testing';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  loadAgentsPage,
  loadAnalytics,
  loadOverview,
  runRollup,
  SEED_ANCHOR,
  type SeedManifest,
  seedDatabase,
} from '../support/queries.js';

// The reads equal a scan of raw rows (exact-aggregates.test.ts) whichever table they read. Here the
// rollup tables are edited behind the raw rows' back, nothing marked dirty: only reads of the
// pre-aggregates can see the edit.
let t: TestSchema;
let manifest: SeedManifest;
beforeAll(async () => {
  t = await createTestSchema('reads_pre_aggregates');
  manifest = await seedDatabase(t.db, { scale: 'tiny' });
  await runRollup(t.db, { full: true });
});
afterAll(() => t?.drop());

const EXTRA_CALLS = 1_000;

describe('with nothing written since the rollup', () => {
  it('answers the overview, the analytics series and the agents stats from the rollup tables, not raw rows', async () => {
    const userId = manifest.heavyUser.id;
    const now = SEED_ANCHOR;
    const read = async () => ({
      overview: await loadOverview(t.db, { userId, range: '7d', now }),
      analytics: await loadAnalytics(t.db, { userId, range: '7d', bucket: 'day', now }),
      agents: await loadAgentsPage(t.db, { userId, limit: 100 }),
    });
    const before = await read();
    const { rows } = await sql<{ agent_id: string; day: string }>`
      SELECT agent_id, day::text AS day FROM agent_analytics
      WHERE user_id = ${userId} AND day >= ${before.overview.window.start}::date
      ORDER BY day DESC, agent_id LIMIT 1`.execute(t.db);
    const [edited] = rows;
    if (!edited) throw new Error('the heavy tenant has no rolled-up day in the last 7 days');
    const agentId = Number(edited.agent_id);

    // tenant_daily follows agent_analytics through its triggers; agent_totals is the rollup's own sum.
    await sql`UPDATE agent_analytics SET calls_total = calls_total + ${EXTRA_CALLS}
      WHERE agent_id = ${agentId} AND day = ${edited.day}::date`.execute(t.db);
    await sql`UPDATE agent_totals SET calls_total = calls_total + ${EXTRA_CALLS} WHERE agent_id = ${agentId}`.execute(
      t.db,
    );
    expect((await sql`SELECT 1 FROM analytics_dirty`.execute(t.db)).rows).toEqual([]);
    const after = await read();

    expect(after.overview.counts.totalCalls).toBe(before.overview.counts.totalCalls + EXTRA_CALLS);
    const dayTotal = (data: typeof before) =>
      data.analytics.callsOverTime.find((point) => point.bucketStart === edited.day)?.total ?? Number.NaN;
    expect(dayTotal(after)).toBe(dayTotal(before) + EXTRA_CALLS);
    const agentCalls = (data: typeof before) =>
      data.agents.agents.find((agent) => agent.id === agentId)?.stats.totalCalls ?? Number.NaN;
    expect(agentCalls(after)).toBe(agentCalls(before) + EXTRA_CALLS);
  });
});
