import { TEST_DATABASE_URL } from '@perfkit/testing';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase, type DatabaseHandle } from '../support/queries.js';

describe('createDatabase', () => {
  let database: DatabaseHandle;
  beforeAll(() => {
    database = createDatabase({
      connectionString: TEST_DATABASE_URL,
      max: 2,
      applicationName: 'perfkit-conn-test',
    });
  });
  afterAll(() => database?.destroy());

  it('refuses a schema that is not a plain identifier, before connecting', () => {
    expect(() => createDatabase({ connectionString: TEST_DATABASE_URL, schema: 'x,pg_temp' })).toThrow(
      expect.objectContaining({ code: 'PERFKIT_QUERIES_INVALID_OPTION', option: 'schema' }),
    );
  });

  it('survives the backend of a checked-out connection being killed, and the pool recovers', async () => {
    const client = await database.pool.connect();
    const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');

    await sql`SELECT pg_terminate_backend(${rows[0]?.pid})`.execute(database.db);
    // No listener of the test's own: only createDatabase's stands between the lost connection and a crash.
    let lost = false;
    for (let tries = 0; tries < 100 && !lost; tries++) {
      lost = await client.query('SELECT 1').then(
        () => false,
        () => true,
      );
      if (!lost) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(lost).toBe(true);
    client.release(true);

    const after = await sql<{ one: number }>`SELECT 1 AS one`.execute(database.db);
    expect(after.rows).toEqual([{ one: 1 }]);
  });
});
