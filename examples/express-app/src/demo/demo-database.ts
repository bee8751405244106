import { DEFAULT_DATABASE_URL, isConnectionError } from '@perfkit/queries';
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

/**
 * Whether a PostgreSQL server lets the demo in at `url`: `true`, or why not
 * (nothing listens there, or a server answered and refused, e.g. an unknown
 * role), so that the demo can say it.
 */
async function postgresAnswers(url: string): Promise<true | { refused: boolean; reason: string }> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3_000 });
  try {
    await client.connect();
    return true;
  } catch (error) {
    return { refused: !isConnectionError(error), reason: (error as Error).message };
  } finally {
    await client.end().catch(() => {});
  }
}

/**
 * `DATABASE_URL`'s server, else a local PostgreSQL (the database
 * `perfkit_demo` on it, created if missing), else PGlite in-process when
 * `DATABASE_URL` is unset and the local server does not answer or refuses
 * the demo (the description says which), or always with `DEMO_EMBEDDED=1`.
 *
 * @example
 * const database = await demoDatabase(process.env);
 */
export async function demoDatabase(env: NodeJS.ProcessEnv): Promise<DemoDatabase> {
  const configured = env.DATABASE_URL;
  const serverUrl = configured || DEFAULT_DATABASE_URL;
  let why = 'no PostgreSQL answered';
  if (env.DEMO_EMBEDDED !== '1') {
    const answer = await postgresAnswers(withDatabase(serverUrl, 'postgres'));
    if (answer === true) {
      const url = withDatabase(serverUrl, DEMO_DATABASE);
      await ensureDatabase(url);
      return { url, description: `PostgreSQL at ${redactUrl(url)}` };
    }
    if (configured) {
      throw new Error(
        answer.refused
          ? `PostgreSQL at DATABASE_URL (${redactUrl(configured)}) refused the demo: ${answer.reason}`
          : `No PostgreSQL answers at DATABASE_URL (${redactUrl(configured)})`,
      );
    }
    if (answer.refused) {
      why = `the local PostgreSQL refused the demo (${answer.reason}; set DATABASE_URL to a role that can connect)`;
    }
  }
  const embedded = await startEmbeddedPostgres();
  return {
    url: embedded.url,
    embedded,
    description: `embedded PGlite (PostgreSQL in WASM, in-process): ${why}`,
  };
}
