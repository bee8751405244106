import { applyIndexes, declaredIndexes, dropIndexes } from '@perfkit/queries/admin';
import { sql } from 'kysely';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningApp } from '../../src/server.js';
import { seedTestData, startAppOn, type TestData } from '../support/test-app.js';

async function declaredIndexesPresent(data: TestData): Promise<string[]> {
  const { rows } = await sql<{ indexname: string }>`
    SELECT indexname FROM pg_indexes WHERE schemaname = ${data.schema.schema}`.execute(data.schema.db);
  const present = new Set(rows.map((row) => row.indexname));
  return declaredIndexes.map((index) => index.name).filter((name) => present.has(name));
}

describe('start-up of each mode', () => {
  let data: TestData;
  let naive: RunningApp | undefined;
  let optimized: RunningApp | undefined;
  beforeAll(async () => {
    data = await seedTestData('startup');
  });
  afterAll(async () => {
    await optimized?.close();
    await naive?.close();
    await data?.close();
  });

  it('naive leaves the schema without indexes, so the baseline means what it says', async () => {
    naive = await startAppOn(data, { mode: 'naive' });

    expect(await declaredIndexesPresent(data)).toEqual([]);
  });

  it('optimized builds the declared indexes that are missing', async () => {
    optimized = await startAppOn(data, { mode: 'optimized', config: { rollupIntervalMs: 100 } });

    expect(await declaredIndexesPresent(data)).toEqual(declaredIndexes.map((index) => index.name));
  });

  it('optimized rolls up days that writes made dirty, on its timer', async () => {
    await sql`INSERT INTO calls (user_id, agent_id, status, duration_seconds, cost_cents, created_at)
      SELECT user_id, id, 'completed', 10, 1, '2026-10-20T12:00:00Z' FROM agents ORDER BY id LIMIT 1`.execute(
      data.schema.db,
    );
    const dirty = async () =>
      Number(
        (await sql<{ n: number }>`SELECT count(*) AS n FROM analytics_dirty`.execute(data.schema.db)).rows[0]
          ?.n,
      );
    expect(await dirty()).toBeGreaterThan(0);

    let left = await dirty();
    for (let tries = 0; tries < 100 && left > 0; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      left = await dirty();
    }
    expect(left).toBe(0);
  });
});

describe('start-up beside another instance applying the indexes', () => {
  let data: TestData;
  beforeAll(async () => {
    data = await seedTestData('startup_busy');
  });
  afterAll(() => data?.close());

  it('starts at once, without building them twice, instead of holding its start for the build', async () => {
    const { pool } = data.schema;
    await dropIndexes(pool);
    // A transaction writing calls holds the other apply's concurrent build midway, and with it the
    // schema's index lock, for as long as the test needs.
    const writer = await pool.connect();
    await writer.query('BEGIN');
    await writer.query('UPDATE calls SET updated_at = updated_at WHERE id = (SELECT min(id) FROM calls)');
    const other = applyIndexes(pool, { lockTimeoutMs: 30_000 });
    let app: RunningApp | undefined;
    try {
      // Its first build has begun once this schema holds an index that is not valid yet.
      for (let i = 0; i < 200; i++) {
        const { rows } = await pool.query(
          `SELECT 1 FROM pg_index JOIN pg_class ON pg_class.oid = indexrelid
           WHERE relnamespace = $1::regnamespace AND NOT indisvalid`,
          [data.schema.schema],
        );
        if (rows.length > 0) break;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const lines: { msg: string }[] = [];
      // Before the fix, the start waited for the other apply (up to its 30 min) and this timed out.
      app = await startAppOn(data, {
        mode: 'optimized',
        start: { logger: pino({ level: 'info' }, { write: (line) => lines.push(JSON.parse(line)) }) },
      });
      expect(lines.map((line) => line.msg)).toContain(
        'another instance is applying the indexes; starting without waiting for it',
      );
      expect(lines.map((line) => line.msg)).not.toContain('index built');
    } finally {
      await writer.query('ROLLBACK');
      writer.release();
      await app?.close();
    }
    const results = await other;
    expect(results.every((result) => result.status === 'created')).toBe(true);
  }, 60_000);
});
