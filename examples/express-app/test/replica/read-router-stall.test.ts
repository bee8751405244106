import { createDatabase, type DatabaseHandle } from '@perfkit/queries';
import { startTcpProxy, type TcpProxy, TEST_DATABASE_URL } from '@perfkit/testing';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createReadRouter } from '../../src/db/read-router.js';

describe('a replica whose connection hangs', () => {
  let primary: DatabaseHandle;
  let replica: DatabaseHandle;
  let proxy: TcpProxy;
  beforeAll(async () => {
    primary = createDatabase({ connectionString: TEST_DATABASE_URL, max: 2 });
    const url = new URL(TEST_DATABASE_URL);
    proxy = await startTcpProxy({ host: url.hostname, port: Number(url.port || 5432) });
    url.host = `127.0.0.1:${proxy.port}`;
    // The primary itself behind a proxy stands in for the replica: never in recovery, so always current.
    replica = createDatabase({ connectionString: url.href, max: 1 });
  });
  afterAll(async () => {
    await proxy?.close(); // first: it ends the hung connection the replica's pool would wait for
    await replica?.destroy();
    await primary?.destroy();
  });

  it('is waited for no longer than maxWaitMs, then the primary answers', async () => {
    const router = createReadRouter({ primary: primary.db, replica: replica.db, maxWaitMs: 100 });
    const one = (db: typeof primary.db) => sql<{ one: number }>`SELECT 1 AS one`.execute(db);
    await router.read(one);
    expect(router.served).toEqual({ replica: 1, primary: 0 });

    proxy.stopForwarding();
    const started = performance.now();
    const { rows } = await router.read(one);

    expect(rows).toEqual([{ one: 1 }]);
    expect(router.served).toEqual({ replica: 1, primary: 1 });
    // Twenty times maxWaitMs; without the bound the read waited as long as the connection hung.
    expect(performance.now() - started).toBeLessThan(2_000);
  });
});
