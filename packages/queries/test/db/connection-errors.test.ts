import { TEST_DATABASE_URL } from '@perfkit/testing';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { createDatabase, isConnectionError } from '../../src/index.js';

const CLOSED_PORT_URL = 'postgresql://postgres@127.0.0.1:1/test';
const admin = new pg.Pool({ connectionString: TEST_DATABASE_URL, max: 1 });
afterAll(() => admin.end());

/** The error `run` rejects with; fails the test if it resolves. */
async function rejection(run: () => Promise<unknown>): Promise<unknown> {
  return run().then(
    () => expect.fail('expected a rejection'),
    (error: unknown) => error,
  );
}

async function connectedClient(): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
  // A lost connection is also emitted as 'error'; without a listener it would crash the test process.
  client.on('error', () => undefined);
  await client.connect();
  return client;
}

describe('isConnectionError', () => {
  it('recognises a refused connection, from a pool and through createDatabase, also as a cause', async () => {
    const pool = new pg.Pool({ connectionString: CLOSED_PORT_URL });
    const refused = await rejection(() => pool.query('SELECT 1'));
    await pool.end();
    const database = createDatabase({ connectionString: CLOSED_PORT_URL });
    const viaKysely = await rejection(() => sql`SELECT 1`.execute(database.db));
    await database.destroy();
    expect(isConnectionError(refused)).toBe(true);
    expect(isConnectionError(viaKysely)).toBe(true);
    expect(isConnectionError(new Error('overview failed', { cause: refused }))).toBe(true);
  });

  it('recognises a query on a client after end() and on a pool after end()', async () => {
    const client = await connectedClient();
    await client.end();
    const pool = new pg.Pool({ connectionString: TEST_DATABASE_URL });
    await pool.end();
    expect(isConnectionError(await rejection(() => client.query('SELECT 1')))).toBe(true);
    expect(isConnectionError(await rejection(() => pool.query('SELECT 1')))).toBe(true);
  });

  it('recognises a backend terminated mid-query, and the broken client afterwards', async () => {
    const client = await connectedClient();
    const pid = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]?.pid;
    const sleeping = rejection(() => client.query('SELECT pg_sleep(10)'));
    // Terminated once the sleep is running, so it is the query in flight that loses its connection.
    for (let terminated = 0; terminated === 0; ) {
      const { rowCount } = await admin.query(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid = $1 AND state = 'active'",
        [pid],
      );
      terminated = rowCount ?? 0;
    }
    expect(isConnectionError(await sleeping)).toBe(true);
    expect(isConnectionError(await rejection(() => client.query('SELECT 1')))).toBe(true);
  });

  it('recognises a pool that found no connection within connectionTimeoutMillis', async () => {
    const pool = new pg.Pool({ connectionString: TEST_DATABASE_URL, max: 1, connectionTimeoutMillis: 50 });
    const held = await pool.connect();
    const timedOut = await rejection(() => pool.query('SELECT 1'));
    held.release();
    await pool.end();
    expect(isConnectionError(timedOut)).toBe(true);
  });

  it('does not take a query the database rejected, a statement timeout or a plain error for one', async () => {
    const client = await connectedClient();
    const rejected = await Promise.all([
      rejection(() => client.query('SELEC 1')),
      rejection(() => client.query('SELECT 1 / 0')),
      rejection(() => client.query("SET statement_timeout = '10ms'; SELECT pg_sleep(1)")),
    ]);
    await client.end();
    expect(rejected.map((error) => (error as { code?: string }).code)).toEqual(['42601', '22012', '57014']);
    expect(rejected.map(isConnectionError)).toEqual([false, false, false]);
    expect([new Error('boom'), undefined, null, 'ECONNREFUSED'].map(isConnectionError)).toEqual([
      false,
      false,
      false,
      false,
    ]);
  });
});
