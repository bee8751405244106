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

  it("keeps a URL's own startup options and still runs every session in UTC with the schema first", async () => {
    const url = new URL(TEST_DATABASE_URL);
    url.searchParams.set(
      'options',
      '-c statement_timeout=4321 -c TimeZone=America/New_York -c search_path=x',
    );
    const handle = createDatabase({ connectionString: url.href, max: 1, schema: 'perfkit_conn_schema' });
    try {
      const { rows } = await sql<{ timeout: string; zone: string; path: string }>`
        SELECT current_setting('statement_timeout') AS timeout, current_setting('TimeZone') AS zone,
               current_setting('search_path') AS path`.execute(handle.db);
      expect(rows).toEqual([{ timeout: '4321ms', zone: 'UTC', path: 'perfkit_conn_schema,public' }]);
    } finally {
      await handle.destroy();
    }
  });

  it('refuses a URL it cannot parse without repeating it, since it may hold a password', () => {
    const attempt = () => createDatabase({ connectionString: 'postgresql://user:s3cret@host:notaport/db' });
    expect(attempt).toThrow(
      expect.objectContaining({ code: 'PERFKIT_QUERIES_INVALID_OPTION', option: 'connectionString' }),
    );
    expect(attempt).toThrow(expect.not.objectContaining({ message: expect.stringContaining('s3cret') }));
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
