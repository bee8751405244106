import { createTestSchema, startTcpProxy, type TestSchema } from '@perfkit/testing';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  applyIndexes,
  createDatabase,
  createIndexSql,
  declaredIndexes,
  dropIndexes,
  indexStatus,
  planIndexes,
  runRollup,
  seedDatabase,
} from '../support/queries.js';

let t: TestSchema;
beforeAll(async () => {
  t = await createTestSchema('index_engine');
  await seedDatabase(t.db, { scale: 'small' });
  await runRollup(t.db, { full: true });
}, 180_000);
afterAll(() => t?.drop());

const TARGET = 'calls_agent_created_idx';
const TARGET_INDEX = declaredIndexes.find((i) => i.name === TARGET) as (typeof declaredIndexes)[number];

/** Opens a transaction that writes to calls and stays open: a concurrent build must wait for it. */
async function openWriter(): Promise<pg.PoolClient> {
  const writer = await t.pool.connect();
  await writer.query('BEGIN');
  await writer.query(`UPDATE calls SET updated_at = updated_at WHERE id = 1`);
  return writer;
}

async function waitForBuild(observer: pg.PoolClient): Promise<number> {
  for (let i = 0; i < 200; i++) {
    const { rows } = await observer.query<{ pid: number }>(
      `SELECT pid FROM pg_stat_activity WHERE query LIKE 'CREATE INDEX CONCURRENTLY%${TARGET}%' AND state = 'active'`,
    );
    const [row] = rows;
    if (row && (await indexStatus(t.pool, { only: [TARGET] }))[0]?.exists) return row.pid;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('the build never started');
}

/**
 * Runs `during` while an apply of TARGET (with `options`) is midway: its concurrent build waits for an
 * open writer, holding the schema's index lock with its index INVALID. Then lets that build finish
 * and resolves with its results.
 */
async function whileBuildHeld(
  options: Parameters<typeof applyIndexes>[1],
  during: () => Promise<void>,
): ReturnType<typeof applyIndexes> {
  await dropIndexes(t.pool, { only: [TARGET] });
  const writer = await openWriter();
  const observer = await t.pool.connect();
  try {
    const first = applyIndexes(t.pool, { ...options, only: [TARGET] });
    await waitForBuild(observer);
    await during();
    await writer.query('ROLLBACK');
    return await first;
  } finally {
    await writer.query('ROLLBACK');
    writer.release();
    observer.release();
  }
}

describe('index engine', () => {
  it('plans every declared index as a concurrent build on an empty database', async () => {
    const plan = await planIndexes();
    expect(plan.map((s) => s.name)).toEqual(declaredIndexes.map((i) => i.name));
    for (const step of plan) {
      expect(step.action).toBe('create');
      expect(step.sql).toEqual([expect.stringMatching(/^CREATE INDEX CONCURRENTLY IF NOT EXISTS /)]);
    }
  });

  it('creates every index, then finds them all existing on the next run', async () => {
    const first = await applyIndexes(t.pool, { analyze: false });
    expect(first.map((r) => [r.name, r.status])).toEqual(declaredIndexes.map((i) => [i.name, 'created']));
    const second = await applyIndexes(t.connectionString);
    expect(second.map((r) => r.status)).toEqual(declaredIndexes.map(() => 'existing'));
    const status = await indexStatus(t.pool);
    expect(status.every((s) => s.exists && s.valid && s.sizeBytes > 0)).toBe(true);
    expect((await planIndexes(t.pool)).every((s) => s.action === 'skip')).toBe(true);
    // Concurrent builds wait for every older transaction in the database, other test files' too.
  }, 120_000);

  it('rebuilds an index whose definition in the database differs from the declared one', async () => {
    const changed = { ...TARGET_INDEX, definition: '(agent_id, created_at)' };
    expect(await planIndexes(t.pool, { indexes: [changed] })).toEqual([
      expect.objectContaining({ action: 'rebuild' }),
    ]);
    expect(await applyIndexes(t.pool, { indexes: [changed], analyze: false })).toEqual([
      expect.objectContaining({ name: TARGET, status: 'rebuilt' }),
    ]);
    expect(await indexStatus(t.pool, { only: [TARGET] })).toEqual([
      expect.objectContaining({ exists: true, valid: true, asDeclared: false }),
    ]);

    expect(await applyIndexes(t.pool, { only: [TARGET], analyze: false })).toEqual([
      expect.objectContaining({ status: 'rebuilt' }),
    ]);
    expect(await applyIndexes(t.pool, { only: [TARGET] })).toEqual([
      expect.objectContaining({ status: 'existing' }),
    ]);
    expect(await indexStatus(t.pool, { only: [TARGET] })).toEqual([
      expect.objectContaining({ exists: true, valid: true, asDeclared: true }),
    ]);
    const { rows } = await t.pool.query<{ def: string }>('SELECT pg_get_indexdef($1::regclass) AS def', [
      TARGET,
    ]);
    expect(rows[0]?.def).toContain('INCLUDE (status, duration_seconds, cost_cents)');
  });

  it('drops the INVALID leftover of a build that fails for good', async () => {
    await dropIndexes(t.pool, { only: [TARGET] });
    const writer = await openWriter();
    const observer = await t.pool.connect();
    let cancelled: Awaited<ReturnType<typeof applyIndexes>>[number] | undefined;
    try {
      const build = applyIndexes(t.pool, { only: [TARGET], lockTimeoutMs: 60_000 });
      const pid = await waitForBuild(observer);
      await observer.query('SELECT pg_cancel_backend($1)', [pid]);
      // Dropping the leftover CONCURRENTLY waits for the writer's transaction too.
      await writer.query('ROLLBACK');
      [cancelled] = await build;
    } finally {
      await writer.query('ROLLBACK');
      writer.release();
      observer.release();
    }
    expect(cancelled).toMatchObject({
      name: TARGET,
      status: 'failed',
      error: expect.stringMatching(/cancel/),
      leftover: 'dropped',
    });
    expect(await indexStatus(t.pool, { only: [TARGET] })).toEqual([
      expect.objectContaining({ exists: false }),
    ]);
  });

  it.each(['a pool', 'a connection string'])(
    'reports a build whose backend is killed as failed, through %s, without crashing the process',
    async (kind) => {
      await dropIndexes(t.pool, { only: [TARGET] });
      const writer = await openWriter();
      const observer = await t.pool.connect();
      let killed: Awaited<ReturnType<typeof applyIndexes>>[number] | undefined;
      try {
        const target = kind === 'a pool' ? t.pool : t.connectionString;
        const build = applyIndexes(target, { only: [TARGET], lockTimeoutMs: 60_000, maxAttempts: 1 });
        const pid = await waitForBuild(observer);
        await observer.query('SELECT pg_terminate_backend($1)', [pid]);
        await writer.query('ROLLBACK');
        [killed] = await build;
      } finally {
        await writer.query('ROLLBACK');
        writer.release();
        observer.release();
      }
      expect(killed).toMatchObject({ name: TARGET, status: 'failed' });
      expect((await applyIndexes(t.pool, { only: [TARGET] }))[0]?.status).toMatch(/created|rebuilt/);
    },
  );

  it('rebuilds the INVALID leftover of a build interrupted outside it, as after a killed process', async () => {
    await dropIndexes(t.pool, { only: [TARGET] });
    const writer = await openWriter();
    const builder = await t.pool.connect();
    const observer = await t.pool.connect();
    try {
      const build = builder.query(createIndexSql(TARGET_INDEX)).catch((error: unknown) => error);
      const pid = await waitForBuild(observer);
      await observer.query('SELECT pg_cancel_backend($1)', [pid]);
      expect(await build).toMatchObject({ message: expect.stringMatching(/cancel/) });
    } finally {
      await writer.query('ROLLBACK');
      writer.release();
      builder.release();
      observer.release();
    }
    expect(await indexStatus(t.pool, { only: [TARGET] })).toEqual([
      expect.objectContaining({ exists: true, valid: false }),
    ]);
    expect((await planIndexes(t.pool, { only: [TARGET] }))[0]?.action).toBe('rebuild');
    const [rerun] = await applyIndexes(t.pool, { only: [TARGET] });
    expect(rerun).toMatchObject({ name: TARGET, status: 'rebuilt' });
    expect(await indexStatus(t.pool, { only: [TARGET] })).toEqual([
      expect.objectContaining({ exists: true, valid: true }),
    ]);
  });

  it('retries a build that hits its lock timeout until the lock is free', async () => {
    await dropIndexes(t.pool, { only: [TARGET] });
    const writer = await openWriter();
    setTimeout(() => void writer.query('ROLLBACK').finally(() => writer.release()), 1_500);
    const [result] = await applyIndexes(t.pool, {
      only: [TARGET],
      lockTimeoutMs: 300,
      retryDelayMs: 300,
      maxAttempts: 8,
    });
    // The first attempt times out after registering the index; the retry drops its own leftover.
    expect(result?.status).toBe('created');
    expect(await indexStatus(t.pool, { only: [TARGET] })).toEqual([expect.objectContaining({ valid: true })]);
  });

  it('reports a lock that never frees as failed, without throwing', async () => {
    await dropIndexes(t.pool, { only: [TARGET] });
    const writer = await openWriter();
    try {
      const [result] = await applyIndexes(t.pool, {
        only: [TARGET],
        lockTimeoutMs: 100,
        retryDelayMs: 10,
        maxAttempts: 2,
      });
      // Dropping the leftover waits for the same writer, so it stays for the next apply.
      expect(result).toMatchObject({
        status: 'failed',
        error: expect.stringMatching(/lock timeout/),
        leftover: 'remains',
      });
    } finally {
      await writer.query('ROLLBACK');
      writer.release();
    }
  });

  it('runs two applies at once (two instances starting) one after the other: one builds, the other finds it', async () => {
    let second: ReturnType<typeof applyIndexes> | undefined;
    const first = await whileBuildHeld({}, async () => {
      // Unlocked, the second took the first's build for a leftover and failed dropping it within 0.5 s.
      second = applyIndexes(t.pool, {
        only: [TARGET],
        lockTimeoutMs: 200,
        retryDelayMs: 10,
        maxAttempts: 2,
      });
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    });

    expect(first).toEqual([expect.objectContaining({ status: 'created' })]);
    expect(await second).toEqual([expect.objectContaining({ status: 'existing' })]);
  });

  it('with busyWaitMs 0, refuses at once while another apply runs (IndexesBusyError)', async () => {
    const first = await whileBuildHeld({ lockTimeoutMs: 30_000 }, async () => {
      await expect(applyIndexes(t.pool, { only: [TARGET], busyWaitMs: 0 })).rejects.toMatchObject({
        code: 'PERFKIT_QUERIES_INDEXES_BUSY',
      });
    });
    expect(first).toEqual([expect.objectContaining({ status: 'created' })]);
  });

  it('gives up connecting after 10 s to a server that never answers, given a connection string', async () => {
    const url = new URL(t.connectionString);
    const proxy = await startTcpProxy({ host: url.hostname, port: Number(url.port) });
    const release = proxy.holdReplies();
    try {
      url.port = String(proxy.port);
      // Without a connect timeout the call waited for an answer that never came.
      await expect(applyIndexes(url.toString(), { only: [TARGET] })).rejects.toThrow(/timeout/i);
    } finally {
      release();
      await proxy.close();
    }
  }, 30_000);

  it('drops every index and reports the ones already gone as absent', async () => {
    const dropped = await dropIndexes(t.pool);
    expect(dropped.filter((r) => r.status === 'failed')).toEqual([]);
    expect(dropped.map((r) => r.status)).toContain('dropped');
    expect((await dropIndexes(t.pool)).map((r) => r.status)).toEqual(declaredIndexes.map(() => 'absent'));
    expect((await indexStatus(t.pool)).some((s) => s.exists)).toBe(false);
  });

  it('rejects an index name it does not declare', async () => {
    await expect(applyIndexes(t.pool, { only: ['nope_idx'] })).rejects.toMatchObject({
      code: 'PERFKIT_QUERIES_INVALID_OPTION',
    });
  });

  it('rejects options PostgreSQL or the engine cannot take as invalid options, before connecting', async () => {
    const invalid = (option: string) =>
      expect.objectContaining({ code: 'PERFKIT_QUERIES_INVALID_OPTION', option });
    await expect(applyIndexes(t.pool, { statementTimeoutMs: 3e9 })).rejects.toThrow(
      invalid('statementTimeoutMs'),
    );
    await expect(dropIndexes(t.pool, { lockTimeoutMs: -1 })).rejects.toThrow(invalid('lockTimeoutMs'));
    await expect(applyIndexes(t.pool, { busyWaitMs: Number.NaN })).rejects.toThrow(invalid('busyWaitMs'));
    await expect(applyIndexes(t.pool, { only: TARGET as never })).rejects.toThrow(invalid('only'));
  });

  it("lets a build wait past the pool's queryTimeoutMs, which is meant for reads, and keeps the pool usable", async () => {
    await dropIndexes(t.pool, { only: [TARGET] });
    const reads = createDatabase({ connectionString: t.connectionString, max: 1, queryTimeoutMs: 300 });
    const writer = await openWriter();
    try {
      const applied = applyIndexes(reads.pool, { only: [TARGET], analyze: false });
      // The build waits for the writer's transaction, longer than the pool's 300 ms.
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      await writer.query('COMMIT');

      expect((await applied).map((r) => r.status)).toEqual(['created']);
      expect((await reads.pool.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    } finally {
      writer.release();
      await reads.destroy();
    }
  });
});
