import { ensureDatabase } from '@perfkit/express-app/load';
import pg from 'pg';

const ADMIN_URL = process.env.ADMIN_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';

/** `name`, once checked to be a plain identifier: `dropDatabase` writes it into SQL unquoted. */
function checkedName(name: string): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`invalid database name "${name}"`);
  return name;
}

/** The URL of database `name` on the benchmark server. */
function databaseUrl(name: string): string {
  const url = new URL(ADMIN_URL);
  url.pathname = `/${checkedName(name)}`;
  return url.toString();
}

/**
 * Creates database `name` on the benchmark server unless it exists (dropping it first when `fresh`),
 * through the app's `ensureDatabase`, and returns its URL.
 *
 * @example
 * const url = await scratchDatabase('perfkit_seed_bench', { fresh: true });
 */
export async function scratchDatabase(name: string, options: { fresh?: boolean } = {}): Promise<string> {
  if (options.fresh) await dropDatabase(name);
  const url = databaseUrl(name);
  await ensureDatabase(url);
  return url;
}

/** Drops database `name` if it exists. */
export async function dropDatabase(name: string): Promise<void> {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS ${checkedName(name)} WITH (FORCE)`);
  } finally {
    await client.end();
  }
}
