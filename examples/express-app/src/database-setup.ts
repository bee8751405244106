import { createDatabase, type Database, DEFAULT_DATABASE_URL } from '@perfkit/queries';
import {
  migrateToLatest,
  runRollup,
  type SeedManifest,
  type SeedScale,
  seedDatabase,
} from '@perfkit/queries/admin';
import type { Kysely } from 'kysely';
import pg from 'pg';

/**
 * Creates the database named in `url` when it does not exist yet, connecting
 * to the server's `postgres` database to do so. Returns whether it created it.
 *
 * @example
 * await ensureDatabase('postgresql://postgres@127.0.0.1:5432/perfkit_demo');
 */
export async function ensureDatabase(url: string): Promise<boolean> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.replace(/^\//, ''));
  if (!name) throw new Error(`DATABASE_URL names no database: ${url}`);
  const admin = new URL(url);
  admin.pathname = '/postgres';
  admin.search = '';
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (exists.rowCount) return false;
    await client.query(`CREATE DATABASE "${name.replaceAll('"', '""')}"`);
    return true;
  } catch (error) {
    // Another process may have created it between our check and our CREATE.
    if ((error as { code?: string }).code === '42P04') return false;
    throw error;
  } finally {
    await client.end();
  }
}

/**
 * `url` with its database replaced by `name` (e.g. a local default turned
 * into `perfkit_demo`).
 *
 * @example
 * withDatabase(DEFAULT_DATABASE_URL, 'perfkit_demo'); // 'postgresql://postgres@127.0.0.1:5432/perfkit_demo'
 */
export function withDatabase(url: string, name: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${name}`;
  return parsed.toString();
}

/**
 * Replaces the rows with the `scale` seed, then rolls up every day: the seed
 * loads in bulk with triggers off, so without this full rollup the
 * pre-aggregates would not know its rows.
 *
 * @example
 * const manifest = await seedAndRollUp(db, 'tiny');
 */
export async function seedAndRollUp(db: Kysely<Database>, scale: SeedScale): Promise<SeedManifest> {
  const manifest = await seedDatabase(db, { scale });
  await runRollup(db, { full: true });
  return manifest;
}

/**
 * Migrates the database at `url` to the latest schema, replaces its rows
 * with the `scale` seed and rolls it up ({@link seedAndRollUp}).
 *
 * @example
 * const manifest = await migrateAndSeed(url, 'small');
 */
export async function migrateAndSeed(
  url: string = DEFAULT_DATABASE_URL,
  scale: SeedScale,
): Promise<SeedManifest> {
  const { db, destroy } = createDatabase({ connectionString: url, max: 2, applicationName: 'perfkit-seed' });
  try {
    await migrateToLatest(db);
    return await seedAndRollUp(db, scale);
  } finally {
    await destroy();
  }
}
