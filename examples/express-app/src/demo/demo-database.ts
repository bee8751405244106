import { DEFAULT_DATABASE_URL } from '@perfkit/queries';
import pg from 'pg';
import { ensureDatabase, withDatabase } from '../database-setup.js';
import { type EmbeddedPostgres, startEmbeddedPostgres } from '../embedded-postgres.js';
import { redactUrl } from '../redact.js';

/** The demo's own database. */
export const DEMO_DATABASE = 'perfkit_demo';

/** Where the demo runs: a real PostgreSQL, or the embedded PGlite. */
export interface DemoDatabase {
  url: string;
  /** Present when the demo runs on PGlite; its figures are only illustrative. */
  embedded?: EmbeddedPostgres;
  /** Said on the progress line. */
  description: string;
}

/** Errors that mean no server answered at all, as opposed to one that answered and refused. */
const UNREACHABLE = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ETIMEDOUT',
]);

/**
 * Whether a PostgreSQL server answers at `url`: false when nothing listens
 * there; a server that answers but refuses (an unknown role, a wrong
 * password) is an error that says so.
 */
async function postgresAnswers(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3_000 });
  try {
    await client.connect();
    return true;
  } catch (error) {
    const { code, message } = error as { code?: string; message: string };
    if (code === undefined || UNREACHABLE.has(code) || /timeout/i.test(message)) return false;
    throw new Error(`PostgreSQL at ${redactUrl(url)} refused the demo: ${message}`);
  } finally {
    await client.end().catch(() => {});
  }
}

/**
 * `DATABASE_URL`'s server, else a local PostgreSQL (the database
 * `perfkit_demo` on it, created if missing), else PGlite in-process when
 * nothing answers and `DATABASE_URL` is unset, or always with
 * `DEMO_EMBEDDED=1`.
 *
 * @example
 * const database = await demoDatabase(process.env);
 */
export async function demoDatabase(env: NodeJS.ProcessEnv): Promise<DemoDatabase> {
  const configured = env.DATABASE_URL;
  const serverUrl = configured || DEFAULT_DATABASE_URL;
  if (env.DEMO_EMBEDDED !== '1' && (await postgresAnswers(withDatabase(serverUrl, 'postgres')))) {
    const url = withDatabase(serverUrl, DEMO_DATABASE);
    await ensureDatabase(url);
    return { url, description: `PostgreSQL at ${redactUrl(url)}` };
  }
  if (configured && env.DEMO_EMBEDDED !== '1') {
    throw new Error(`No PostgreSQL answers at DATABASE_URL (${redactUrl(configured)})`);
  }
  const embedded = await startEmbeddedPostgres();
  return { url: embedded.url, embedded, description: 'embedded PGlite (PostgreSQL in WASM, in-process)' };
}
