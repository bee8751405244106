import { randomBytes } from 'node:crypto';
import { startFakeElevenLabs } from '@perfkit/external/fake';
import { createDatabase } from '@perfkit/queries';
import { migrateToLatest, type SeedScale } from '@perfkit/queries/admin';
import { TEST_DATABASE_URL } from '@perfkit/testing';
import pg from 'pg';
import { ensureDatabase, seedAndRollUp, withDatabase } from '../../src/database-setup.js';
import type { TestData } from './test-app.js';

async function dropDatabase(name: string): Promise<void> {
  const admin = new pg.Client({ connectionString: withDatabase(TEST_DATABASE_URL, 'postgres') });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}

/**
 * Like `seedTestData`, but in a database of its own rather than a schema of
 * the shared `test` database, for scenarios that kill or cancel backends:
 * `datname` then tells the app's backends (and index builds) from those of
 * the other test files running on the same server.
 *
 * @example
 * const data = await seedPrivateDatabase('pg_faults');
 * await sql`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = ${data.schema.schema}`;
 */
export async function seedPrivateDatabase(label: string, scale: SeedScale = 'tiny'): Promise<TestData> {
  const name = `perfkit_chaos_${label}_${randomBytes(3).toString('hex')}`;
  const connectionString = withDatabase(TEST_DATABASE_URL, name);
  await ensureDatabase(connectionString);
  const handle = createDatabase({ connectionString, max: 4, applicationName: 'perfkit-chaos-test' });
  try {
    await migrateToLatest(handle.db);
    const manifest = await seedAndRollUp(handle.db, scale);
    const fake = await startFakeElevenLabs({ latency: { kind: 'none' } });
    const drop = async () => {
      await handle.destroy();
      await dropDatabase(name);
    };
    return {
      schema: { ...handle, schema: name, connectionString, drop },
      manifest,
      fake,
      async close() {
        await fake.close();
        await drop();
      },
    };
  } catch (error) {
    await handle.destroy();
    await dropDatabase(name);
    throw error;
  }
}
