import { Kysely, PostgresDialect, sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { createMonitor, type SlowQuery } from '../../src/index.js';
import { captureLogger } from '../helpers/capture-logger.js';
import { testPool } from '../helpers/postgres.js';

const explainPool = testPool(1);
const monitor = createMonitor({
  processMetrics: false,
  logger: captureLogger().logger,
  slowQueries: { threshold: 100, explainPool },
});
const db = new Kysely<Record<string, never>>({
  dialect: new PostgresDialect({ pool: testPool(2) }),
  log: monitor.kyselyLog,
});

afterAll(async () => {
  await monitor.close();
  await db.destroy();
  await explainPool.end();
});

describe('Kysely log hook', () => {
  it('times Kysely queries by shape and explains slow ones on the explain pool', async () => {
    const slow: SlowQuery[] = [];
    monitor.on('slow-query', (query) => slow.push(query));
    await sql`select ${7}::int as n`.execute(db);
    await sql`select ${8}::int as n`.execute(db);
    await sql`select n from generate_series(1, ${3}) n, pg_sleep(0.15)`.execute(db);
    await monitor.close();

    expect(monitor.snapshot().queries.map((q) => [q.shape, q.count])).toEqual(
      expect.arrayContaining([
        ['select ?::int as n', 2],
        ['select n from generate_series(?, ?) n, pg_sleep(?)', 1],
      ]),
    );
    expect(slow).toHaveLength(1);
    expect(slow[0]).toMatchObject({ explain: 'explained', paramCount: 1 });
    expect(JSON.stringify(slow[0]?.plan)).toContain('Function Scan');
  });
});
