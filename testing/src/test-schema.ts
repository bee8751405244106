import { randomBytes } from 'node:crypto';
import { createDatabase, type DatabaseHandle } from '@perfkit/queries';
import { migrateToLatest, poolConfig } from '@perfkit/queries/admin';
import pg from 'pg';

/** Tests use the `test` database unless `DATABASE_URL` says otherwise. */
export const TEST_DATABASE_URL = process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/test';

export interface TestSchema extends DatabaseHandle {
  /** The schema's name, unique per call. */
  schema: string;
  /** A URL that connects with this schema first on the search_path. */
  connectionString: string;
  /** Ends the pool and drops the schema with everything in it. */
  drop(): Promise<void>;
}

/**
 * Creates a fresh, migrated schema so each test file has its own tables and
 * files can run in parallel against one database.
 *
 * @example
 * const t = await createTestSchema('overview');
 * afterAll(() => t.drop());
 */
export async function createTestSchema(
  label: string,
  options: { migrate?: boolean } = {},
): Promise<TestSchema> {
  const schema = `t_${label.replace(/[^a-z0-9]/gi, '_').toLowerCase()}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client(poolConfig({ connectionString: TEST_DATABASE_URL }));
  await admin.connect();
  try {
    await admin.query(`CREATE SCHEMA ${schema}`);
  } finally {
    await admin.end();
  }
  const handle = createDatabase({ connectionString: TEST_DATABASE_URL, schema });
  if (options.migrate !== false) await migrateToLatest(handle.db);
  const url = new URL(TEST_DATABASE_URL);
  url.searchParams.set('options', `-c search_path=${schema},public`);
  return {
    ...handle,
    schema,
    connectionString: url.toString(),
    async drop() {
      await handle.destroy();
      const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
      await client.connect();
      try {
        await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      } finally {
        await client.end();
      }
    },
  };
}
