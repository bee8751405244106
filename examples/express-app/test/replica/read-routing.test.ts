import { createDatabase, type DatabaseHandle } from '@perfkit/queries';
import { SEED_ANCHOR } from '@perfkit/queries/admin';
import { findPostgresBinaries } from '@perfkit/testing';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { OverviewBody } from '../../src/contract/response-bodies.js';
import type { LeadBody } from '../../src/contract/write-bodies.js';
import type { RunningApp } from '../../src/server.js';
import {
  type ReplicatedPostgres,
  type ReplicatedPostgresOptions,
  seedPrimary,
  startReplicatedPostgres,
} from '../support/replicated-postgres.js';
import { requestJson, startAppOn, type TestData } from '../support/test-app.js';

/*
 * DATABASE_READ_URL on a real streaming replica that applies each commit 2 s
 * late. The cache clock is frozen, so an entry never expires on its own: an
 * old answer that a reload read from the lagging replica would stay cached,
 * and every test below would see it.
 */

// The pair needs the server binaries (initdb, pg_ctl, pg_basebackup in /usr/lib/postgresql/<major>/bin or
// PG_BINDIR), which every machine of the project has; elsewhere the suites are reported as skipped.
const bin = findPostgresBinaries();
const DAY_MS = 86_400_000;
/** Far above a NOTIFY's trip plus the router's wait for the replica (100 ms); under the frozen clock a cached old answer would never leave. */
const VISIBLE_WITHIN_MS = 5_000;

/** The optimized app reading from the pair's replica, and what the tests need to drive and check it. */
interface ReplicaFixture {
  pair: ReplicatedPostgres;
  app: RunningApp;
  /** The heavy tenant's API key, and its agent with the lowest id. */
  key: string;
  agentId: number;
  /** The heavy tenant's overview over `range`. */
  overview(
    range: '7d' | '30d' | '90d',
  ): Promise<{ status: number; cache: string | null; body: OverviewBody }>;
  /** Inserts a lead in plain SQL on the primary (the app hears of it only through NOTIFY); returns its id. */
  insertLeadInSql(options?: { synchronousCommit: boolean }): Promise<number>;
  /** Whether the replica can see the lead yet. */
  replicaHasLead(id: number): Promise<boolean>;
  /** The app's routed reads so far. */
  served(): { replica: number; primary: number };
  /** A direct connection to the primary. */
  primary: DatabaseHandle;
  close(): Promise<void>;
}

async function startReplicaFixture(options: ReplicatedPostgresOptions): Promise<ReplicaFixture> {
  const closers: (() => Promise<unknown>)[] = [];
  const close = async () => {
    for (const closer of closers.reverse()) await closer().catch(() => undefined);
  };
  try {
    const pair = await startReplicatedPostgres(bin ?? '', options);
    closers.push(() => pair.stop());
    const data: TestData = await seedPrimary(pair);
    closers.push(() => data.close());
    const replica = createDatabase({ connectionString: pair.replicaUrl, max: 1 });
    closers.push(() => replica.destroy());
    const frozenAt = SEED_ANCHOR.getTime();
    const app = await startAppOn(data, {
      mode: 'optimized',
      config: { databaseReadUrl: pair.replicaUrl, rollupIntervalMs: DAY_MS },
      start: { optimized: { cacheClock: { now: () => frozenAt } } },
    });
    closers.push(() => app.close());
    const { heavyUser } = data.manifest;
    const agent = await data.schema.db
      .selectFrom('agents')
      .select('id')
      .where('user_id', '=', heavyUser.id)
      .orderBy('id')
      .executeTakeFirstOrThrow();
    return {
      pair,
      app,
      key: heavyUser.apiKey,
      agentId: agent.id,
      primary: data.schema,
      async overview(range) {
        const response = await requestJson<OverviewBody>(app.url, `/api/dashboard/overview?range=${range}`, {
          key: heavyUser.apiKey,
        });
        return { status: response.status, cache: response.headers.get('x-cache'), body: response.body };
      },
      async insertLeadInSql({ synchronousCommit } = { synchronousCommit: true }) {
        return data.schema.db.transaction().execute(async (trx) => {
          if (!synchronousCommit) await sql`SET LOCAL synchronous_commit = off`.execute(trx);
          const row = await trx
            .insertInto('leads')
            .values({
              user_id: heavyUser.id,
              agent_id: agent.id,
              name: 'Written in SQL',
              phone: '+15550199',
              status: 'new',
              created_at: SEED_ANCHOR,
              updated_at: SEED_ANCHOR,
            })
            .returning('id')
            .executeTakeFirstOrThrow();
          return Number(row.id);
        });
      },
      async replicaHasLead(id) {
        return (
          (await replica.db.selectFrom('leads').select('id').where('id', '=', id).executeTakeFirst()) !==
          undefined
        );
      },
      served() {
        const served = app.mode.readsServed;
        if (!served) throw new Error('the optimized mode exposes no routed-read counters');
        return { ...served };
      },
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

const leadIn = (body: OverviewBody, id: number) =>
  body.recentActivity.some((item) => item.type === 'lead' && item.id === id);

/** Polls the heavy tenant's 7-day overview until it shows the lead, then checks that the replica could not have served it. */
async function expectShownBeforeTheReplicaHasIt(t: ReplicaFixture, id: number): Promise<void> {
  await vi
    .waitUntil(async () => leadIn((await t.overview('7d')).body, id), {
      timeout: VISIBLE_WITHIN_MS,
      interval: 10,
    })
    .catch(() => {
      throw new Error(
        `the overview did not show lead ${id} within ${VISIBLE_WITHIN_MS} ms: an old answer stayed cached`,
      );
    });
  expect(await t.replicaHasLead(id)).toBe(false);
}

describe.skipIf(!bin)('optimized mode reading from a streaming replica that applies commits 2 s late', () => {
  let t: ReplicaFixture;
  beforeAll(async () => {
    // No autovacuum: an ANALYZE commits, and each commit makes the replica lag 2 s.
    t = await startReplicaFixture({ applyDelay: '2s', primarySettings: { autovacuum: 'off' } });
  });
  afterAll(() => t?.close());

  it('shows a lead created through the API on the next read, which the primary serves while the replica lags', async () => {
    await t.pair.waitForReplay();
    const before = await t.overview('7d');
    const served = t.served();

    const created = await requestJson<LeadBody>(t.app.url, '/api/leads', {
      method: 'POST',
      key: t.key,
      body: { agentId: t.agentId, name: 'Written through the API', phone: '+15550198' },
    });
    const after = await t.overview('7d');

    expect(created.status).toBe(201);
    expect(after.cache).toBe('miss');
    expect(after.body.kpis.totalLeads).toBe(before.body.kpis.totalLeads + 1);
    expect(leadIn(after.body, created.body.id)).toBe(true);
    expect(t.served()).toEqual({ replica: served.replica, primary: served.primary + 1 });
    expect(await t.replicaHasLead(created.body.id)).toBe(false);
  });

  it('serves a read from the replica once the replica has replayed every write', async () => {
    await t.pair.waitForReplay();
    const served = t.served();

    const response = await t.overview('30d');

    expect(response.status).toBe(200);
    expect(response.cache).toBe('miss');
    expect(t.served()).toEqual({ replica: served.replica + 1, primary: served.primary });
  });

  it('counts the replica as current right after the primary switched to a new WAL segment', async () => {
    // The insert position then sits past the new segment's page header, beyond where replay stops.
    await sql`SELECT pg_switch_wal()`.execute(t.primary.db);
    await t.pair.waitForReplay();
    const served = t.served();

    const response = await t.overview('90d');

    expect(response.cache).toBe('miss');
    expect(t.served()).toEqual({ replica: served.replica + 1, primary: served.primary });
  });

  it("reloads from the primary after a lead inserted in plain SQL is announced by NOTIFY, never caching the replica's old answer", async () => {
    await t.pair.waitForReplay();
    // The earlier tests' own NOTIFYs may still be on their way and drop the entry: read until it is cached.
    let before = await t.overview('7d');
    for (let reads = 0; reads < 50 && before.cache !== 'hit'; reads++) before = await t.overview('7d');
    expect(before.cache).toBe('hit');

    const id = await t.insertLeadInSql();

    // Until the NOTIFY arrives the cached answer is still served; after it, the reload must show the lead.
    await expectShownBeforeTheReplicaHasIt(t, id);
  });
});

describe.skipIf(!bin)('optimized mode reading from a replica, after an asynchronous commit', () => {
  let t: ReplicaFixture;
  beforeAll(async () => {
    // A WAL writer that wakes every 10 s (it hibernates only after 50 idle rounds) leaves an
    // asynchronous commit's WAL unwritten, and so unsent, for seconds: the window made visible.
    t = await startReplicaFixture({
      applyDelay: '2s',
      primarySettings: { autovacuum: 'off', wal_writer_delay: '10s' },
    });
  });
  afterAll(() => t?.close());

  it("never caches the replica's old answer for a lead committed with synchronous_commit = off", async () => {
    await t.pair.waitForReplay();
    const before = await t.overview('7d');
    expect(before.cache).toBe('miss');

    const id = await t.insertLeadInSql({ synchronousCommit: false });

    await expectShownBeforeTheReplicaHasIt(t, id);
  });
});
