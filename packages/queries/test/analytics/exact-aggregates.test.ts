import { createTestSchema, type TestSchema } from '@perfkit/testing';
import fc from 'fast-check';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertTenants, type OracleDay, oracleDays, sumOracle } from '../support/platform-builder.js';
import {
  agentStatsQuery,
  type CallStatus,
  exactDailyQuery,
  type LeadStatus,
  loadAnalytics,
  loadOverview,
  runRollup,
  startRollupTimer,
} from '../support/queries.js';

const NOW = new Date('2026-11-01T15:00:00Z');
const DAY_MS = 86_400_000;

let t: TestSchema;
let tenants: Array<{ userId: number; agentIds: number[] }>;
beforeAll(async () => {
  t = await createTestSchema('exact_aggregates');
  tenants = await insertTenants(t.db, { users: 2, agentsPerUser: 3 });
});
afterAll(() => t?.drop());

const callStatus = fc.constantFrom<CallStatus>('completed', 'failed', 'no_answer', 'busy', 'in_progress');
const leadStatus = fc.constantFrom<LeadStatus>('new', 'qualified', 'converted', 'lost');
const score = fc.option(fc.integer({ min: 0, max: 100 }), { nil: null });
// Days back from NOW: the 7d and 30d boundaries fall inside, and 40 days back is a "late" row on a closed day.
const dayOffset = fc.integer({ min: 0, max: 40 });
const instant = fc.record({ dayOffset, second: fc.integer({ min: 0, max: 86_399 }) });
const pick = fc.nat();

const action = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('insertCall' as const),
      agent: pick,
      at: instant,
      status: callStatus,
      duration: fc.integer({ min: 0, max: 900 }),
      cost: fc.integer({ min: 0, max: 500 }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('insertCalls' as const),
      agent: pick,
      at: instant,
      count: fc.integer({ min: 2, max: 5 }),
      status: callStatus,
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('insertLead' as const),
      agent: pick,
      at: instant,
      score,
      status: leadStatus,
      fromCall: fc.boolean(),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('updateCall' as const),
      row: pick,
      status: callStatus,
      duration: fc.integer({ min: 0, max: 900 }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant('updateLead' as const), row: pick, score, status: leadStatus }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('moveCall' as const), row: pick, at: instant }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('moveLead' as const), row: pick, at: instant }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('deleteCall' as const), row: pick }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('deleteLead' as const), row: pick }) },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('rollup' as const),
      full: fc.boolean(),
      batchSize: fc.integer({ min: 1, max: 50 }),
    }),
  },
);
type Action = typeof action extends fc.Arbitrary<infer A> ? A : never;

const toDate = (at: { dayOffset: number; second: number }) =>
  new Date(Date.UTC(2026, 10, 1) - at.dayOffset * DAY_MS + at.second * 1000);

function agentAt(index: number) {
  const all = tenants.flatMap((tenant) =>
    tenant.agentIds.map((agentId) => ({ userId: tenant.userId, agentId })),
  );
  return all[index % all.length] as { userId: number; agentId: number };
}

async function rowIds(table: 'calls' | 'leads'): Promise<number[]> {
  return (await t.db.selectFrom(table).select('id').orderBy('id').execute()).map((r) => r.id);
}

async function apply(step: Action): Promise<void> {
  const { db } = t;
  switch (step.kind) {
    case 'insertCall': {
      const { userId, agentId } = agentAt(step.agent);
      await db
        .insertInto('calls')
        .values({
          user_id: userId,
          agent_id: agentId,
          status: step.status,
          duration_seconds: step.duration,
          cost_cents: step.cost,
          created_at: toDate(step.at),
        })
        .execute();
      return;
    }
    case 'insertCalls': {
      const { userId, agentId } = agentAt(step.agent);
      const base = toDate(step.at).getTime();
      const rows = Array.from({ length: step.count }, (_, i) => ({
        user_id: userId,
        agent_id: agentId,
        status: step.status,
        duration_seconds: 30 * i,
        cost_cents: 7 * i,
        created_at: new Date(base - i * 3_600_000),
      }));
      await db.insertInto('calls').values(rows).execute();
      return;
    }
    case 'insertLead': {
      const { userId, agentId } = agentAt(step.agent);
      const callId = step.fromCall ? ((await rowIds('calls')).at(-1) ?? null) : null;
      await db
        .insertInto('leads')
        .values({
          user_id: userId,
          agent_id: agentId,
          call_id: callId,
          name: 'Lead',
          phone: '+15550100',
          score: step.score,
          status: step.status,
          created_at: toDate(step.at),
        })
        .execute();
      return;
    }
    case 'updateCall':
    case 'moveCall':
    case 'deleteCall': {
      const ids = await rowIds('calls');
      const id = ids[step.row % Math.max(ids.length, 1)];
      if (id === undefined) return;
      if (step.kind === 'updateCall')
        await db
          .updateTable('calls')
          .set({ status: step.status, duration_seconds: step.duration })
          .where('id', '=', id)
          .execute();
      else if (step.kind === 'moveCall')
        await db
          .updateTable('calls')
          .set({ created_at: toDate(step.at) })
          .where('id', '=', id)
          .execute();
      else await db.deleteFrom('calls').where('id', '=', id).execute();
      return;
    }
    case 'updateLead':
    case 'moveLead':
    case 'deleteLead': {
      const ids = await rowIds('leads');
      const id = ids[step.row % Math.max(ids.length, 1)];
      if (id === undefined) return;
      if (step.kind === 'updateLead')
        await db
          .updateTable('leads')
          .set({ score: step.score, status: step.status })
          .where('id', '=', id)
          .execute();
      else if (step.kind === 'moveLead')
        await db
          .updateTable('leads')
          .set({ created_at: toDate(step.at) })
          .where('id', '=', id)
          .execute();
      else await db.deleteFrom('leads').where('id', '=', id).execute();
      return;
    }
    case 'rollup':
      await runRollup(t.db, { full: step.full, batchSize: step.batchSize, vacuum: false });
      return;
  }
}

const metricsOf = (d: OracleDay) => {
  const { last_call_at: _last, ...counts } = d;
  return counts;
};

/** Every read this package offers, against the oracle over all raw rows. */
async function expectEveryAggregateExact(): Promise<void> {
  const oracle = await oracleDays(t.db);
  for (const { userId, agentIds } of tenants) {
    const exact = (await exactDailyQuery(t.db, { userId }).execute(t.db)).rows;
    const fromDb = new Map<string, OracleDay>();
    for (const row of exact) {
      const { agent_id, user_id, day, recomputed: _r, last_call_at, ...counts } = row;
      if (Object.values(counts).every((v) => v === 0)) continue;
      fromDb.set(`${user_id}|${agent_id}|${day}`, {
        ...counts,
        last_call_at: last_call_at?.getTime() ?? null,
      });
    }
    const expected = new Map([...oracle].filter(([key]) => key.startsWith(`${userId}|`)));
    expect(fromDb).toEqual(expected);

    for (const range of ['7d', '30d'] as const) {
      const days = range === '7d' ? 7 : 30;
      const fromDay = new Date(Date.UTC(2026, 10, 1) - (days - 1) * DAY_MS).toISOString().slice(0, 10);
      const inRange = sumOracle(
        oracle,
        (u, _a, day) => u === userId && day >= fromDay && day <= '2026-11-01',
      );
      const overview = await loadOverview(t.db, { userId, range, now: NOW });
      expect(overview.counts).toMatchObject({
        totalCalls: inRange.calls_total,
        completedCalls: inRange.calls_completed,
        failedCalls: inRange.calls_failed,
        completedDurationSeconds: inRange.duration_completed_seconds,
        totalCostCents: inRange.cost_cents,
        totalLeads: inRange.leads_total,
        qualifiedLeads: inRange.leads_qualified,
        convertedLeads: inRange.leads_converted,
      });
      const analytics = await loadAnalytics(t.db, { userId, range, bucket: 'week', now: NOW });
      expect(analytics.leadQuality).toEqual({
        hot: inRange.leads_hot,
        warm: inRange.leads_warm,
        cold: inRange.leads_cold,
        unscored: inRange.leads_unscored,
      });
      expect(analytics.callsOverTime.reduce((n, b) => n + b.total, 0)).toBe(inRange.calls_total);
      for (const perf of analytics.agentPerformance) {
        const agent = sumOracle(
          oracle,
          (u, a, day) => u === userId && a === perf.agentId && day >= fromDay && day <= '2026-11-01',
        );
        expect(perf).toMatchObject({
          totalCalls: agent.calls_total,
          completedCalls: agent.calls_completed,
          totalLeads: agent.leads_total,
          convertedLeads: agent.leads_converted,
        });
      }
    }

    const stats = (await agentStatsQuery(t.db, { userId, agentIds }).execute(t.db)).rows;
    for (const agentId of agentIds) {
      const all = sumOracle(oracle, (u, a) => u === userId && a === agentId);
      const row = stats.find((s) => s.agentId === agentId);
      expect({
        calls: row?.totalCalls ?? 0,
        completed: row?.completedCalls ?? 0,
        duration: row?.completedDurationSeconds ?? 0,
        leads: row?.totalLeads ?? 0,
        last: row?.lastCallAt?.getTime() ?? null,
      }).toEqual({
        calls: all.calls_total,
        completed: all.calls_completed,
        duration: all.duration_completed_seconds,
        leads: all.leads_total,
        last: all.last_call_at,
      });
    }
  }
  // The rollup table itself is exact for every agent-day that is not dirty.
  const clean = await sql<Record<string, unknown>>`
    SELECT a.* FROM agent_analytics a
    WHERE NOT EXISTS (SELECT 1 FROM analytics_dirty d WHERE d.agent_id = a.agent_id AND d.day = a.day)`.execute(
    t.db,
  );
  for (const row of clean.rows) {
    const expected = oracle.get(`${row.user_id}|${row.agent_id}|${row.day}`);
    expect(expected, `clean rollup row ${row.agent_id}/${row.day} has raw rows`).toBeDefined();
    const actual = Object.fromEntries(
      Object.keys(metricsOf(expected as OracleDay)).map((k) => [k, Number(row[k])]),
    );
    expect(actual).toEqual(metricsOf(expected as OracleDay));
  }
}

describe('exact pre-aggregates', () => {
  it('equal a full scan of raw rows after every write and every rollup', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(action, { minLength: 1, maxLength: 20 }), async (actions) => {
        await sql`TRUNCATE calls, leads, agent_analytics, agent_totals, analytics_dirty RESTART IDENTITY CASCADE`.execute(
          t.db,
        );
        for (const step of actions) {
          await apply(step);
          await expectEveryAggregateExact();
        }
      }),
      { numRuns: 20, endOnFailure: true },
    );
  }, 120_000);

  it('moves a row out of its old day when its created_at changes after a rollup', async () => {
    await sql`TRUNCATE calls, leads, agent_analytics, agent_totals, analytics_dirty RESTART IDENTITY CASCADE`.execute(
      t.db,
    );
    const steps: Action[] = [
      {
        kind: 'insertCall',
        agent: 0,
        at: { dayOffset: 3, second: 10 },
        status: 'completed',
        duration: 60,
        cost: 5,
      },
      {
        kind: 'insertLead',
        agent: 0,
        at: { dayOffset: 3, second: 20 },
        score: 90,
        status: 'new',
        fromCall: true,
      },
      { kind: 'rollup', full: false, batchSize: 10 },
      { kind: 'moveCall', row: 0, at: { dayOffset: 35, second: 5 } },
      { kind: 'moveLead', row: 0, at: { dayOffset: 1, second: 5 } },
    ];
    for (const step of steps) {
      await apply(step);
      await expectEveryAggregateExact();
    }
  });

  it('reads the rollup instead of raw rows once a rollup has run', async () => {
    await sql`TRUNCATE calls, leads, agent_analytics, agent_totals, analytics_dirty RESTART IDENTITY CASCADE`.execute(
      t.db,
    );
    await apply({
      kind: 'insertCall',
      agent: 0,
      at: { dayOffset: 1, second: 10 },
      status: 'completed',
      duration: 60,
      cost: 5,
    });
    const before = (await exactDailyQuery(t.db, { userId: agentAt(0).userId }).execute(t.db)).rows;
    expect(before.map((r) => r.recomputed)).toEqual([true]);
    const result = await runRollup(t.db);
    expect(result).toMatchObject({ status: 'done', mode: 'incremental', days: 1 });
    const after = (await exactDailyQuery(t.db, { userId: agentAt(0).userId }).execute(t.db)).rows;
    expect(after.map((r) => [r.recomputed, r.calls_total])).toEqual([[false, 1]]);
    expect((await runRollup(t.db)).days).toBe(0);
  });

  it('stays exact after a TRUNCATE of the raw rows, which fires no row trigger, and after the next rollup', async () => {
    await apply({
      kind: 'insertCall',
      agent: 0,
      at: { dayOffset: 1, second: 5 },
      status: 'completed',
      duration: 60,
      cost: 3,
    });
    await runRollup(t.db, { full: true });
    await sql`TRUNCATE calls, leads`.execute(t.db);
    await expectEveryAggregateExact();
    expect((await runRollup(t.db)).status).toBe('done');
    await expectEveryAggregateExact();
  });

  it('lets one instance roll up while another holds the lock', async () => {
    await apply({
      kind: 'insertCall',
      agent: 1,
      at: { dayOffset: 2, second: 10 },
      status: 'failed',
      duration: 0,
      cost: 1,
    });
    const holder = await t.pool.connect();
    try {
      await holder.query('BEGIN');
      await holder.query(
        `SELECT pg_advisory_xact_lock(hashtextextended(current_schema() || '.perfkit.rollup', 0))`,
      );
      expect(await runRollup(t.db)).toMatchObject({ status: 'skipped', days: 0 });
      expect(await runRollup(t.db, { full: true })).toMatchObject({ status: 'skipped' });
      await holder.query('COMMIT');
    } finally {
      holder.release();
    }
    expect(await runRollup(t.db)).toMatchObject({ status: 'done', days: 1 });
    await expectEveryAggregateExact();
  });

  it('takes an option set to undefined as its default, and refuses a bad one when the timer starts', async () => {
    expect(await runRollup(t.db, { batchSize: undefined, maxBatches: undefined })).toMatchObject({
      status: 'done',
    });
    expect(() => startRollupTimer(t.db, { batchSize: 0 })).toThrow(
      expect.objectContaining({ code: 'PERFKIT_QUERIES_INVALID_OPTION', option: 'batchSize' }),
    );
  });

  it('reports a failed run as a process warning without onError, and never crashes the process', async () => {
    const broken = await createTestSchema('rollup_timer_failing');
    try {
      await sql`ALTER TABLE analytics_dirty RENAME TO analytics_dirty_gone`.execute(broken.db);
      // The run's warning, not any other the process emits meanwhile.
      let onWarning: (warning: Error) => void = () => {};
      const warned = new Promise<Error>((resolve) => {
        onWarning = (warning) => {
          if (/analytics_dirty/.test(warning.message)) resolve(warning);
        };
        process.on('warning', onWarning);
      });
      const timer = startRollupTimer(broken.db, { intervalMs: 20 });
      await warned;
      process.off('warning', onWarning);
      await timer.stop(); // resolves: the failed run is settled, not a rejection
    } finally {
      await broken.drop();
    }
  });

  it('refuses a rollup interval of 0 or past what a Node.js timer keeps (it would run every millisecond)', () => {
    for (const intervalMs of [0, 2 ** 31]) {
      expect(() => startRollupTimer(t.db, { intervalMs })).toThrow(
        expect.objectContaining({ code: 'PERFKIT_QUERIES_INVALID_OPTION', option: 'intervalMs' }),
      );
    }
  });
});
