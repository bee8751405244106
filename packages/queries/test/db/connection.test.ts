import { startTcpProxy, TEST_DATABASE_URL } from '@perfkit/testing';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { poolConfig } from '../../src/admin.js';
import { createDatabase, type DatabaseHandle, isConnectionError } from '../support/queries.js';

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
    // A statement timeout written in the URL wins over the one given as an option (an app's default).
    const handle = createDatabase({
      connectionString: url.href,
      max: 1,
      schema: 'perfkit_conn_schema',
      statementTimeoutMs: 54_000,
    });
    try {
      const { rows } = await sql<{ timeout: string; zone: string; path: string }>`
        SELECT current_setting('statement_timeout') AS timeout, current_setting('TimeZone') AS zone,
               current_setting('search_path') AS path`.execute(handle.db);
      expect(rows).toEqual([{ timeout: '4321ms', zone: 'UTC', path: 'perfkit_conn_schema,public' }]);
    } finally {
      await handle.destroy();
    }
  });

  it('leaves the rest of the URL to pg, as written: TLS, the password, other parameters', () => {
    const config = poolConfig({
      connectionString:
        'postgresql://app:s3cret@db:5432/app?ssl=no-verify&options=-c%20statement_timeout%3D5000&x=1',
    });
    expect(config.connectionString).toBe('postgresql://app:s3cret@db:5432/app?ssl=no-verify&x=1');
    expect(config.options).toBe('-c statement_timeout=5000 -c TimeZone=UTC');
  });

  it('refuses a URL it cannot parse without repeating it, since it may hold a password', () => {
    const attempt = () => createDatabase({ connectionString: 'postgresql://user:s3cret@host:notaport/db' });
    expect(attempt).toThrow(
      expect.objectContaining({ code: 'PERFKIT_QUERIES_INVALID_OPTION', option: 'connectionString' }),
    );
    expect(attempt).toThrow(expect.not.objectContaining({ message: expect.stringContaining('s3cret') }));
  });

  it('fails a statement on a hung connection after queryTimeoutMs, and does not reuse that connection', async () => {
    const url = new URL(TEST_DATABASE_URL);
    const proxy = await startTcpProxy({ host: url.hostname, port: Number(url.port || 5432) });
    url.host = `127.0.0.1:${proxy.port}`;
    const handle = createDatabase({ connectionString: url.href, max: 1, queryTimeoutMs: 1_000 });
    const one = () => sql<{ one: number }>`SELECT 1 AS one`.execute(handle.db);
    try {
      await one();
      proxy.stopForwarding(); // the connection stays open, and nothing comes back on it

      const hung = await one().then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(isConnectionError(hung)).toBe(true);
      // A new connection through the proxy is forwarded: the pool dropped the hung one.
      expect((await one()).rows).toEqual([{ one: 1 }]);
    } finally {
      await proxy.close();
      await handle.destroy();
    }
  });

  it('fails a transaction whose connection hangs after one queryTimeoutMs: its ROLLBACK does not wait a second', async () => {
    const url = new URL(TEST_DATABASE_URL);
    const proxy = await startTcpProxy({ host: url.hostname, port: Number(url.port || 5432) });
    url.host = `127.0.0.1:${proxy.port}`;
    const handle = createDatabase({ connectionString: url.href, max: 1, queryTimeoutMs: 2_000 });
    try {
      const started = performance.now();
      const failed = await handle.db
        .transaction()
        .execute(async (trx) => {
          await sql`SELECT 1`.execute(trx);
          proxy.stopForwarding();
          await sql`SELECT 1`.execute(trx);
        })
        .then(
          () => undefined,
          (error: unknown) => error,
        );

      expect(isConnectionError(failed)).toBe(true);
      // One timeout (2 s) and not two (4 s), with a second's margin either way.
      expect(performance.now() - started).toBeLessThan(3_000);
    } finally {
      await proxy.close();
      await handle.destroy();
    }
  });

  it('has the server end a session left idle in a transaction after idleInTransactionTimeoutMs', async () => {
    const handle = createDatabase({
      connectionString: TEST_DATABASE_URL,
      max: 1,
      idleInTransactionTimeoutMs: 200,
    });
    const client = await handle.pool.connect();
    try {
      await client.query('BEGIN');
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      const ended = await client.query('SELECT 1').then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(ended).toBeInstanceOf(Error);
    } finally {
      client.release(true);
      await handle.destroy();
    }
  });

  it('has the server cancel a statement, a wait for a lock included, after statementTimeoutMs, and keeps the connection', async () => {
    const handle = createDatabase({ connectionString: TEST_DATABASE_URL, max: 1, statementTimeoutMs: 200 });
    const holder = await database.pool.connect();
    try {
      await holder.query('BEGIN');
      await holder.query('SELECT pg_advisory_xact_lock(4242)');
      const cancelled = await sql`SELECT pg_advisory_xact_lock(4242)`.execute(handle.db).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(cancelled).toMatchObject({ code: '57014' });
      expect(isConnectionError(cancelled)).toBe(false);
      // The one pooled connection answers the next statement: nothing had to be dropped.
      expect((await sql<{ one: number }>`SELECT 1 AS one`.execute(handle.db)).rows).toEqual([{ one: 1 }]);
    } finally {
      await holder.query('ROLLBACK');
      holder.release();
      await handle.destroy();
    }
  });

  it('refuses a pool size or an acquire timeout pg would read as an outage, and a URL that is not a string', () => {
    const invalid = (option: string) =>
      expect.objectContaining({ code: 'PERFKIT_QUERIES_INVALID_OPTION', option });
    for (const max of [0, -1, 1.5]) expect(() => createDatabase({ max })).toThrow(invalid('max'));
    expect(() => createDatabase({ acquireTimeoutMs: -1 })).toThrow(invalid('acquireTimeoutMs'));
    expect(() => createDatabase({ acquireTimeoutMs: 'x' as never })).toThrow(invalid('acquireTimeoutMs'));
    expect(() => createDatabase({ connectionString: 42 as never })).toThrow(invalid('connectionString'));
  });

  it('refuses a timeout that is not a whole number of ms from 0 to 2^31 - 1', () => {
    for (const queryTimeoutMs of [-1, 1.5, 2 ** 31]) {
      expect(() => createDatabase({ connectionString: TEST_DATABASE_URL, queryTimeoutMs })).toThrow(
        expect.objectContaining({ code: 'PERFKIT_QUERIES_INVALID_OPTION', option: 'queryTimeoutMs' }),
      );
    }
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
