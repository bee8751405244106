import {
  type ActivityRow,
  type AgentWithStats,
  applyIndexes,
  type Database,
  decodeAgentsCursor,
  loadAgent,
  loadAgentsPage,
  loadAnalytics,
  loadOverview,
  runRollup,
  SEED_ANCHOR,
  type SeedScale,
  seedDatabase,
} from '@perfkit/queries';
import { createTestSchema, type TestSchema } from '@perfkit/queries/testing';
import { type Kysely, sql } from 'kysely';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { naiveAgent, naiveAgentsList } from '../src/agents/naive-agents.js';
import { encodeAgentCursor } from '../src/contract/agent-cursor.js';
import type { Bucket, Range } from '../src/contract/query-params.js';
import { averageSeconds, rate } from '../src/contract/rates.js';
import type {
  ActivityItem,
  AgentsListBody,
  AgentView,
  AnalyticsBody,
  OverviewBody,
} from '../src/contract/response-bodies.js';
import { naiveAnalytics } from '../src/dashboard/naive-analytics.js';
import { naiveOverview } from '../src/dashboard/naive-overview.js';
import type { DataDeps } from '../src/modes/data-source.js';

/*
 * The differential test of issue 4: perfkit's batched queries on exact
 * pre-aggregates (@perfkit/queries), turned into the contract's bodies with the
 * app's shared rate functions, equal the naive code's bodies exactly — on
 * rolled-up data and with days changed since the rollup.
 */

const now = SEED_ANCHOR;
const RANGES: Range[] = ['7d', '30d', '90d'];
const BUCKETS: Bucket[] = ['day', 'week'];

function activityItem(row: ActivityRow): ActivityItem {
  const { createdAt, ...rest } = row;
  return { ...rest, createdAt: createdAt.toISOString() } as ActivityItem;
}

async function batchedOverview(db: Kysely<Database>, userId: number, range: Range): Promise<OverviewBody> {
  const { window, counts: c, recentActivity } = await loadOverview(db, { userId, range, now });
  return {
    range,
    period: { from: window.fromDay, to: window.toDay },
    kpis: {
      totalCalls: c.totalCalls,
      completedCalls: c.completedCalls,
      failedCalls: c.failedCalls,
      successRate: rate(c.completedCalls, c.totalCalls),
      avgDurationSec: averageSeconds(c.completedDurationSeconds, c.completedCalls),
      totalCostCents: c.totalCostCents,
      totalLeads: c.totalLeads,
      qualifiedLeads: c.qualifiedLeads,
      conversionRate: rate(c.convertedLeads, c.totalLeads),
      activeAgents: c.activeAgents,
    },
    recentActivity: recentActivity.map(activityItem),
  };
}

async function batchedAnalytics(
  db: Kysely<Database>,
  userId: number,
  range: Range,
  bucket: Bucket,
): Promise<AnalyticsBody> {
  const data = await loadAnalytics(db, { userId, range, bucket, now });
  return {
    range,
    bucket,
    period: { from: data.window.fromDay, to: data.window.toDay },
    callsOverTime: data.callsOverTime,
    leadsOverTime: data.leadsOverTime,
    leadQuality: data.leadQuality,
    agentPerformance: data.agentPerformance.map((a) => ({
      agentId: a.agentId,
      name: a.name,
      status: a.status,
      totalCalls: a.totalCalls,
      completedCalls: a.completedCalls,
      successRate: rate(a.completedCalls, a.totalCalls),
      avgDurationSec: averageSeconds(a.completedDurationSeconds, a.completedCalls),
      totalLeads: a.totalLeads,
      convertedLeads: a.convertedLeads,
      conversionRate: rate(a.convertedLeads, a.totalLeads),
    })),
  };
}

/** An agent view without `config`/`configStatus`, which depend on ElevenLabs' timing. */
type AgentData = Omit<AgentView, 'config' | 'configStatus'>;

function agentData(a: AgentWithStats): AgentData {
  const s = a.stats;
  return {
    id: a.id,
    name: a.name,
    status: a.status,
    elevenlabsAgentId: a.elevenlabsAgentId,
    createdAt: a.createdAt.toISOString(),
    stats: {
      totalCalls: s.totalCalls,
      completedCalls: s.completedCalls,
      successRate: rate(s.completedCalls, s.totalCalls),
      totalLeads: s.totalLeads,
      avgDurationSec: averageSeconds(s.completedDurationSeconds, s.completedCalls),
      lastCallAt: s.lastCallAt?.toISOString() ?? null,
    },
  };
}

const withoutConfig = ({ config: _c, configStatus: _s, ...rest }: AgentView): AgentData => rest;

async function batchedAgentsList(db: Kysely<Database>, userId: number, limit: number, cursor?: string) {
  const page = await loadAgentsPage(db, {
    userId,
    limit,
    ...(cursor ? { after: decodeAgentsCursor(cursor) } : {}),
  });
  return { agents: page.agents.map(agentData), nextCursor: page.nextCursor, total: page.total };
}

const naiveAgentsData = (body: AgentsListBody) => ({ ...body, agents: body.agents.map(withoutConfig) });

/** A dataset of one scale, rolled up and indexed, with the naive app's dependencies. */
async function prepare(label: string, scale: SeedScale) {
  const t = await createTestSchema(label);
  const manifest = await seedDatabase(t.db, { scale });
  await runRollup(t.db, { full: true });
  await applyIndexes(t.pool);
  const deps: DataDeps = {
    db: t.db,
    // Nothing listens there: every config fetch fails at once and the naive code carries on with `null`.
    elevenLabs: { baseUrl: 'http://127.0.0.1:9', apiKey: 'unused' },
    logger: pino({ level: 'silent' }),
  };
  return { t, manifest, deps };
}

/** Writes after the rollup — late, updated, moved and deleted rows — so reads mix clean and dirty days. */
async function changeSinceRollup(t: TestSchema, userId: number): Promise<void> {
  await sql`
    WITH agent AS (SELECT id FROM agents WHERE user_id = ${userId} ORDER BY id LIMIT 1)
    INSERT INTO calls (user_id, agent_id, status, duration_seconds, cost_cents, created_at)
    SELECT ${userId}, agent.id, 'completed', 123, 45, ${now}::timestamptz - interval '20 days 3 hours' FROM agent`.execute(
    t.db,
  );
  await sql`UPDATE leads SET score = 85, status = 'converted'
    WHERE id = (SELECT max(id) FROM leads WHERE user_id = ${userId})`.execute(t.db);
  await sql`UPDATE calls SET created_at = created_at - interval '2 days', status = 'failed'
    WHERE id = (SELECT max(id) FROM calls WHERE user_id = ${userId} AND status = 'completed')`.execute(t.db);
  await sql`DELETE FROM calls WHERE id = (SELECT min(id) FROM calls WHERE user_id = ${userId}
    AND created_at > ${now}::timestamptz - interval '60 days')`.execute(t.db);
}

async function expectSameBodies(deps: DataDeps, userIds: number[], limits = [3, 50]): Promise<void> {
  const { db } = deps;
  for (const userId of userIds) {
    for (const range of RANGES) {
      expect(await batchedOverview(db, userId, range)).toEqual(
        await naiveOverview(deps, userId, { range }, now),
      );
      for (const bucket of BUCKETS) {
        expect(await batchedAnalytics(db, userId, range, bucket)).toEqual(
          await naiveAnalytics(deps, userId, { range, bucket }, now),
        );
      }
    }
    for (const limit of limits) {
      let cursor: string | undefined;
      for (let page = 0; page < 30; page++) {
        const naive = naiveAgentsData(
          await naiveAgentsList(
            deps,
            userId,
            { limit, ...(cursor ? { after: decodeAgentsCursor(cursor) } : {}) },
            now,
          ),
        );
        const batched = await batchedAgentsList(db, userId, limit, cursor);
        expect(batched).toEqual(naive);
        if (!batched.nextCursor) break;
        // Both sides encode the same sort key the same way.
        expect(decodeAgentsCursor(batched.nextCursor)).toEqual(
          decodeAgentsCursor(naive.nextCursor as string),
        );
        cursor = encodeAgentCursor(decodeAgentsCursor(batched.nextCursor));
      }
    }
    const agents = await db
      .selectFrom('agents')
      .select('id')
      .where('user_id', '=', userId)
      .limit(5)
      .execute();
    for (const { id } of agents) {
      const naive = await naiveAgent(deps, userId, { agentId: id }, now);
      const batched = await loadAgent(db, { userId, agentId: id });
      expect(batched && agentData(batched)).toEqual(naive && withoutConfig(naive.agent));
    }
  }
}

describe('differential: batched queries vs the naive code', () => {
  describe('tiny, every tenant', () => {
    let data: Awaited<ReturnType<typeof prepare>>;
    beforeAll(async () => {
      data = await prepare('differential_tiny', 'tiny');
    });
    afterAll(() => data?.t.drop());

    it('returns the same bodies on rolled-up data', async () => {
      await expectSameBodies(
        data.deps,
        data.manifest.users.map((u) => u.id),
      );
    });

    it('returns the same bodies with late, updated, moved and deleted rows since the rollup', async () => {
      for (const user of data.manifest.users) await changeSinceRollup(data.t, user.id);
      await expectSameBodies(
        data.deps,
        data.manifest.users.map((u) => u.id),
      );
      await runRollup(data.t.db);
      await expectSameBodies(
        data.deps,
        data.manifest.users.map((u) => u.id),
      );
    });
  });

  describe('small, a sample of tenants with the heavy one', () => {
    let data: Awaited<ReturnType<typeof prepare>>;
    beforeAll(async () => {
      data = await prepare('differential_small', 'small');
    }, 180_000);
    afterAll(() => data?.t.drop());

    it('returns the same bodies, before and after changes since the rollup', async () => {
      const others = data.manifest.users.filter((u) => u.id !== data.manifest.heavyUser.id);
      const sample = [data.manifest.heavyUser.id, others[0]?.id as number, others[57]?.id as number];
      await expectSameBodies(data.deps, sample, [50]);
      await changeSinceRollup(data.t, data.manifest.heavyUser.id);
      await expectSameBodies(data.deps, [data.manifest.heavyUser.id], [50]);
    }, 180_000);
  });
});
