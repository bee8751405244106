import { TEST_DATABASE_URL } from '@perfkit/testing';
import { type Kysely, sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { createDatabase, type DatabaseHandle, MAX_NAMED_STATEMENTS, prepared } from '../support/queries.js';

// One connection per pool, so pg_prepared_statements (per session) sees every statement the test ran.
let database: DatabaseHandle;
function open(preparedStatements?: boolean): Kysely<never> {
  database = createDatabase({
    connectionString: TEST_DATABASE_URL,
    max: 1,
    ...(preparedStatements === undefined ? {} : { preparedStatements }),
  });
  return database.db as unknown as Kysely<never>;
}
afterEach(() => database?.destroy());

async function preparedOnSession(db: Kysely<never>): Promise<Array<{ name: string; statement: string }>> {
  const { rows } = await sql<{ name: string; statement: string }>`
    SELECT name, statement FROM pg_prepared_statements ORDER BY name`.execute(db);
  return rows;
}

describe('prepared', () => {
  it('runs a marked statement as one named prepared statement, however often it runs', async () => {
    const db = open();
    for (const value of [1, 2, 3]) {
      const { rows } = await prepared(
        'probe',
        sql<{ twice: number }>`SELECT ${value}::int * 2 AS twice`,
      ).execute(db);
      expect(rows).toEqual([{ twice: value * 2 }]);
    }
    const statements = await preparedOnSession(db);
    expect(statements).toHaveLength(1);
    expect(statements[0]?.name).toMatch(/^probe_[0-9a-f]{16}$/);
    expect(statements[0]?.statement).toMatch(/^\/\* perfkit:probe \*\/ SELECT/);
  });

  it('gives two texts under one label two names', async () => {
    const db = open();
    await prepared('probe', sql`SELECT ${1}::int AS a`).execute(db);
    const { rows } = await prepared('probe', sql<{ b: string }>`SELECT ${'x'}::text AS b`).execute(db);
    expect(rows).toEqual([{ b: 'x' }]);
    expect(new Set((await preparedOnSession(db)).map((s) => s.name)).size).toBe(2);
  });

  it('leaves unmarked statements unnamed', async () => {
    const db = open();
    await sql`SELECT ${1}::int AS one`.execute(db);
    expect(await preparedOnSession(db)).toEqual([]);
  });

  it('names nothing with preparedStatements: false, and answers the same', async () => {
    const db = open(false);
    const { rows } = await prepared('probe', sql<{ one: number }>`SELECT ${1}::int AS one`).execute(db);
    expect(rows).toEqual([{ one: 1 }]);
    expect(await preparedOnSession(db)).toEqual([]);
  });

  it(`names at most ${MAX_NAMED_STATEMENTS} texts per pool and runs the rest unnamed`, async () => {
    const db = open();
    for (let i = 0; i < MAX_NAMED_STATEMENTS + 5; i++) {
      const { rows } = await prepared(
        'probe',
        sql<{ n: number }>`SELECT ${i}::int AS n, ${sql.lit(i)} AS k`,
      ).execute(db);
      expect(rows[0]?.n).toBe(i);
    }
    expect(await preparedOnSession(db)).toHaveLength(MAX_NAMED_STATEMENTS);
  });

  it('refuses a label that could end the comment', () => {
    expect(() => prepared('x */ DROP TABLE users; /*', sql`SELECT 1`)).toThrow(TypeError);
  });
});
