import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  applyIndexes,
  declaredIndexes,
  dropIndexes,
  indexStatus,
  planIndexes,
  runRollup,
  seedDatabase,
} from '../../src/index.js';
import { createTestSchema, type TestSchema } from '../../src/testing/index.js';

let t: TestSchema;
beforeAll(async () => {
  t = await createTestSchema('index_engine');
  await seedDatabase(t.db, { scale: 'small' });
  await runRollup(t.db, { full: true });
}, 180_000);
afterAll(() => t?.drop());

const TARGET = 'calls_agent_created_idx';

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

  it('rebuilds an index whose concurrent build was cancelled mid-way', async () => {
    await dropIndexes(t.pool, { only: [TARGET] });
    const writer = await openWriter();
    const observer = await t.pool.connect();
    try {
      const build = applyIndexes(t.pool, { only: [TARGET], lockTimeoutMs: 60_000 });
      const pid = await waitForBuild(observer);
      await observer.query('SELECT pg_cancel_backend($1)', [pid]);
      const [cancelled] = await build;
      expect(cancelled).toMatchObject({
        name: TARGET,
        status: 'failed',
        error: expect.stringMatching(/cancel/),
      });
      expect(await indexStatus(t.pool, { only: [TARGET] })).toEqual([
        expect.objectContaining({ exists: true, valid: false }),
      ]);
      expect((await planIndexes(t.pool, { only: [TARGET] }))[0]?.action).toBe('rebuild');
    } finally {
      await writer.query('ROLLBACK');
      writer.release();
      observer.release();
    }
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
      expect(result).toMatchObject({ status: 'failed', error: expect.stringMatching(/lock timeout/) });
    } finally {
      await writer.query('ROLLBACK');
      writer.release();
    }
  });

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
});
