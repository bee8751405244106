import { isConnectionError } from '@perfkit/queries';
import pg from 'pg';
import {
  DatabaseUnavailableError,
  InvalidOptionError,
  isCliError,
  PermissionDeniedError,
} from '../errors.js';
import { redactUrl } from './redact-url.js';

// What node-postgres reads as a connection string: a URL, a `socket:` URL or a socket directory.
// Anything else it resolves against a placeholder host named "base" (`notaurl` becomes database
// "notaurl" on host "base"), and the DNS error that follows names neither.
const CONNECTION_STRING = /^(?:postgres(?:ql)?:\/\/|socket:|\/)/i;

/**
 * How long a command waits for PostgreSQL to accept a connection and finish its start-up. pg
 * waits forever by default: an endpoint that takes the TCP connection but never answers (a hung
 * server, a proxy with nothing behind it, another service on the port) would hang the command,
 * and the CI job running it, until something outside killed it. A healthy server answers in
 * milliseconds, a loaded or distant one in well under a second: 10 s fails only a dead end.
 */
export const CONNECT_TIMEOUT_MS = 10_000;

// What pg rejects connect() with after connectionTimeoutMillis.
const PG_CONNECT_TIMEOUT = 'timeout expired';

// SQLSTATEs of a server that answered but would not let this URL in: a wrong password (28P01), no
// pg_hba.conf entry for the role (28000), no such database (3D000).
const LOGIN_REFUSED = new Set(['28P01', '28000', '3D000']);

// insufficient_privilege: the role logged in, but may not read or change what the command needs.
const INSUFFICIENT_PRIVILEGE = '42501';

/**
 * The connection string, or an {@link InvalidOptionError} naming `option`
 * when it is not a PostgreSQL URL — checked before anything connects.
 *
 * @example
 * checkDatabaseUrl('postgresql://postgres@127.0.0.1:5432/app', 'connectionString') // returned as is
 * checkDatabaseUrl('notaurl', '--database-url') // throws "--database-url must be a PostgreSQL URL: …"
 */
export function checkDatabaseUrl(url: string, option: string): string {
  if (CONNECTION_STRING.test(url)) return url;
  throw new InvalidOptionError(
    option,
    'must be a PostgreSQL URL: postgresql://user[:password]@host[:port]/database',
  );
}

/**
 * The one-line error for a database that could not be reached or let in,
 * naming the URL with its password redacted.
 *
 * @example
 * throw cannotConnect(url, error) // "cannot connect to postgresql://app:***@db/app: connect ECONNREFUSED …"
 */
export function cannotConnect(url: string, error: unknown, why = messageOf(error)): DatabaseUnavailableError {
  return new DatabaseUnavailableError(
    `cannot connect to ${redactUrl(url, { keepUsername: true })}: ${why}`,
    error,
  );
}

/**
 * Opens a client for a command, giving up after {@link CONNECT_TIMEOUT_MS};
 * any failure to connect is {@link cannotConnect}'s error. The client's own
 * 'error' events are ignored: a query in flight rejects with the error anyway.
 *
 * @example
 * const client = await connectClient(url, 'perf-cli audit');
 */
export async function connectClient(url: string, applicationName: string): Promise<pg.Client> {
  const client = new pg.Client({
    connectionString: url,
    application_name: applicationName,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
  });
  client.on('error', () => {});
  try {
    await client.connect();
    return client;
  } catch (error) {
    // pg says only "timeout expired": say what waited, and for how long.
    const timedOut = error instanceof Error && error.message === PG_CONNECT_TIMEOUT;
    throw cannotConnect(
      url,
      error,
      timedOut ? `no answer within ${CONNECT_TIMEOUT_MS / 1000} s (${messageOf(error)})` : undefined,
    );
  }
}

/**
 * The one-line error for a database failure the user can act on — no
 * connection (refused, reset, terminated, timed out, the login refused) or a
 * role without a privilege the command needs — or undefined for any other
 * error, which is not the user's to fix. One classification for every
 * command, whichever driver call failed.
 *
 * @example
 * catch (error) { throw databaseFailure(url, error) ?? error; }
 */
export function databaseFailure(
  url: string,
  error: unknown,
): DatabaseUnavailableError | PermissionDeniedError | undefined {
  if (isCliError(error)) return undefined;
  const code = (error as { code?: unknown } | null)?.code;
  if (isConnectionError(error) || (typeof code === 'string' && LOGIN_REFUSED.has(code)))
    return cannotConnect(url, error);
  if (code === INSUFFICIENT_PRIVILEGE) {
    return new PermissionDeniedError(
      `${redactUrl(url, { keepUsername: true })}: ${messageOf(error)}: connect as a role with the privileges the command needs`,
      error,
    );
  }
  return undefined;
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));
