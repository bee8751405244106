import { createTestSchema, startTcpProxy, type TestSchema } from '@perfkit/testing';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertTenants } from '../support/platform-builder.js';
import {
  type ChangeListener,
  type ChangeNotification,
  listenForChanges,
  type ReconnectInfo,
  runRollup,
} from '../support/queries.js';

let t: TestSchema;
let other: TestSchema;
let tenants: Array<{ userId: number; agentIds: number[] }>;
beforeAll(async () => {
  [t, other] = await Promise.all([createTestSchema('listener'), createTestSchema('listener_other')]);
  tenants = await insertTenants(t.db, { users: 2, agentsPerUser: 2 });
  await insertTenants(other.db, { users: 1, agentsPerUser: 1 });
});
afterAll(async () => {
  await t?.drop();
  await other?.drop();
});

/** A listener on `t` that records what it hears. */
async function recordingListener(extra: Partial<Parameters<typeof listenForChanges>[0]> = {}) {
  const heard: ChangeNotification[] = [];
  const reconnects: ReconnectInfo[] = [];
  const listener = await listenForChanges({
    connectionString: t.connectionString,
    onChange: (change) => heard.push(change),
    onReconnect: (info) => reconnects.push(info),
    ...extra,
  });
  return { heard, reconnects, listener };
}

async function until(check: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const sortChanges = (changes: ChangeNotification[]) =>
  [...changes].sort((a, b) => a.userId - b.userId || a.agentId - b.agentId);

describe('listenForChanges', () => {
  let listener: ChangeListener | undefined;
  afterAll(() => listener?.close());

  it('hears one notification per transaction and (user, agent), whatever the rows and tables', async () => {
    const rec = await recordingListener();
    listener = rec.listener;
    const [a, b] = tenants as [(typeof tenants)[0], (typeof tenants)[0]];
    const [agentA1, agentA2] = a.agentIds as [number, number];
    const call = (agentId: number, userId: number) => ({
      user_id: userId,
      agent_id: agentId,
      status: 'completed' as const,
    });
    await t.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('calls')
        .values([call(agentA1, a.userId), call(agentA1, a.userId), call(agentA2, a.userId)])
        .execute();
      await trx
        .insertInto('leads')
        .values({ user_id: a.userId, agent_id: agentA1, name: 'L', phone: '+15550100' })
        .execute();
      await trx.updateTable('calls').set({ status: 'failed' }).where('agent_id', '=', agentA1).execute();
    });
    await t.db
      .updateTable('agents')
      .set({ name: 'Renamed' })
      .where('id', '=', b.agentIds[0] as number)
      .execute();
    await until(() => rec.heard.length >= 3);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(sortChanges(rec.heard)).toEqual(
      sortChanges([
        { userId: a.userId, agentId: agentA1 },
        { userId: a.userId, agentId: agentA2 },
        { userId: b.userId, agentId: b.agentIds[0] as number },
      ]),
    );
    expect(rec.listener.channel).toBe(`perfkit_changes_${t.schema}`);
  });

  it('does not hear changes made in another schema', async () => {
    const rec = await recordingListener();
    try {
      const agent = await other.db.selectFrom('agents').select(['id', 'user_id']).executeTakeFirstOrThrow();
      await other.db
        .insertInto('calls')
        .values({ user_id: agent.user_id, agent_id: agent.id, status: 'busy' })
        .execute();
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(rec.heard).toEqual([]);
    } finally {
      await rec.listener.close();
    }
  });

  it('hears a TRUNCATE of the raw rows, which fires no row trigger, for each (user, agent) rolled up', async () => {
    const [a] = tenants as [(typeof tenants)[0]];
    const agentId = a.agentIds[0] as number;
    await t.db.insertInto('calls').values({ user_id: a.userId, agent_id: agentId, status: 'busy' }).execute();
    await runRollup(t.db, { full: true });
    const rec = await recordingListener();
    try {
      await sql`TRUNCATE calls, leads`.execute(t.db);
      await until(() => rec.heard.some((c) => c.userId === a.userId && c.agentId === agentId));
    } finally {
      await rec.listener.close();
    }
  });

  it('reconnects after its connection is killed and says notifications may have been missed', async () => {
    const rec = await recordingListener({ initialDelayMs: 20, onError: () => {} });
    try {
      const admin = new pg.Client({ connectionString: t.connectionString });
      await admin.connect();
      try {
        // Our listener is the one session listening on this schema's channel.
        const { rows } = await admin.query<{ n: number }>(
          `SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity
           WHERE application_name = 'perfkit-listener' AND pid <> pg_backend_pid()
             AND query LIKE $1`,
          [`LISTEN "${rec.listener.channel}"`],
        );
        expect(rows[0]?.n).toBeGreaterThanOrEqual(1);
      } finally {
        await admin.end();
      }
      await until(() => rec.reconnects.length === 1);
      expect(rec.reconnects[0]).toMatchObject({ mayHaveMissed: true, attempts: expect.any(Number) });
      expect(rec.listener.connected).toBe(true);

      const [tenant] = tenants as [(typeof tenants)[0]];
      await t.db
        .insertInto('calls')
        .values({ user_id: tenant.userId, agent_id: tenant.agentIds[1] as number, status: 'no_answer' })
        .execute();
      await until(() => rec.heard.some((c) => c.agentId === tenant.agentIds[1]));
    } finally {
      await rec.listener.close();
    }
  });

  it('treats a health check left unanswered by a half-open connection as a lost one: reconnects and says so', async () => {
    const database = new URL(t.connectionString);
    const proxy = await startTcpProxy({ host: database.hostname, port: Number(database.port || 5432) });
    const viaProxy = new URL(t.connectionString);
    viaProxy.port = String(proxy.port);
    const errors: unknown[] = [];
    const rec = await recordingListener({
      connectionString: viaProxy.toString(),
      initialDelayMs: 20,
      healthCheckMs: 100,
      // A local SELECT 1 answers in well under a millisecond: a wide margin.
      healthCheckTimeoutMs: 1_000,
      onError: (error) => errors.push(error),
    });
    try {
      expect(proxy.accepted).toBe(1);
      proxy.stopForwarding();
      await until(() => rec.reconnects.length === 1);
      expect(rec.reconnects[0]).toMatchObject({ mayHaveMissed: true });
      expect(errors[0]).toMatchObject({ message: 'Query read timeout' });
      expect(proxy.accepted).toBe(2);
      expect(rec.listener.connected).toBe(true);

      const [, tenant] = tenants as [(typeof tenants)[0], (typeof tenants)[0]];
      const agentId = tenant.agentIds[1] as number;
      await t.db
        .insertInto('calls')
        .values({ user_id: tenant.userId, agent_id: agentId, status: 'busy' })
        .execute();
      await until(() => rec.heard.some((c) => c.agentId === agentId));
    } finally {
      await rec.listener.close();
      await proxy.close();
    }
  });

  it('stays closed when closed while reconnecting: the new connection is ended with close(), not left listening', async () => {
    const url = new URL(t.connectionString);
    const proxy = await startTcpProxy({ host: url.hostname, port: Number(url.port || 5432) });
    url.host = `127.0.0.1:${proxy.port}`;
    const rec = await recordingListener({
      connectionString: url.href,
      initialDelayMs: 10,
      maxDelayMs: 10,
      healthCheckMs: 0,
      healthCheckTimeoutMs: 10_000,
      onError: () => {},
    });
    try {
      const release = proxy.holdReplies(); // the reconnect's answers wait here
      await t.pool.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query = $1`, [
        `LISTEN "${rec.listener.channel}"`,
      ]);
      await until(() => proxy.accepted === 2); // reconnecting
      await rec.listener.close();
      // Before, the reconnect's socket stayed open until its answers came or healthCheckTimeoutMs (10 s).
      await until(() => proxy.open === 0, 2_000);
      release();
      await new Promise((resolve) => setTimeout(resolve, 300)); // any late event of the reconnect, after the close
      expect(rec.listener.connected).toBe(false);
      expect(rec.reconnects).toEqual([]);
    } finally {
      await proxy.close();
    }
  });

  it('rejects a health-check timeout that is not a positive number of ms', async () => {
    await expect(
      listenForChanges({ connectionString: t.connectionString, onChange: () => {}, healthCheckTimeoutMs: 0 }),
    ).rejects.toMatchObject({ code: 'PERFKIT_QUERIES_INVALID_OPTION', option: 'healthCheckTimeoutMs' });
  });

  it('rejects a delay past what a Node.js timer keeps, which would fire after 1 ms', async () => {
    await expect(
      listenForChanges({ connectionString: t.connectionString, onChange: () => {}, healthCheckMs: 2 ** 31 }),
    ).rejects.toMatchObject({
      code: 'PERFKIT_QUERIES_INVALID_OPTION',
      option: 'healthCheckMs',
      message: 'queries: healthCheckMs must be a number of ms from 0 up to 2147483647, got 2147483648',
    });
  });

  it('rejects when the first connection fails', async () => {
    await expect(
      listenForChanges({ connectionString: 'postgresql://postgres@127.0.0.1:1/none', onChange: () => {} }),
    ).rejects.toThrow();
  });
});
