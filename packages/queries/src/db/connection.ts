import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { parse } from 'pg-connection-string';
import { InvalidOptionError } from '../errors.js';
import type { Database } from '../schema/database.js';
import { isPlainIdentifier } from './plain-identifier.js';
import { preparingPool } from './prepared-statements.js';

/** Used when neither the options nor `DATABASE_URL` name a database. */
export const DEFAULT_DATABASE_URL = 'postgresql://postgres@127.0.0.1:5432/postgres';

/**
 * The largest timeout setting PostgreSQL accepts (`statement_timeout`, `lock_timeout`, …: int4 ms,
 * about 24.8 days); node's timers overflow past the same bound.
 */
export const POSTGRES_MAX_TIMEOUT_MS = 2_147_483_647;

const INT8_OID = 20;
const DATE_OID = 1082;

/**
 * Type parsers for every pool we create: counts and ids (int8) become JS
 * numbers — exact below 2^53, far beyond any row count here — and `date`
 * stays a `YYYY-MM-DD` string, so no time zone can shift a day.
 */
export const pgTypes = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === INT8_OID) return (value: string) => Number(value);
    if (oid === DATE_OID) return (value: string) => value;
    return pg.types.getTypeParser(oid, format);
  },
};

export interface DatabaseOptions {
  /** PostgreSQL URL. Default: `DATABASE_URL`, else {@link DEFAULT_DATABASE_URL}. */
  connectionString?: string;
  /** Schema to put first on the `search_path` (tests run each file in its own); a plain identifier. Default: none. */
  schema?: string;
  /** Pool size. Default: 10. */
  max?: number;
  /** Name shown in `pg_stat_activity`. Default: `perfkit`. */
  applicationName?: string;
  /** How long a query waits for a connection (a free one, or a new one) before it fails, ms; 0 waits forever. Default: 0. */
  acquireTimeoutMs?: number;
  /**
   * How long a statement may go unanswered before it fails, ms, and its connection is dropped rather
   * than reused: a hung connection (a dead peer, a network path lost without a reset) otherwise holds
   * its query until the kernel gives up, about 15 min. Counts from the statement's send, so keep it
   * above the slowest statement you run. 0 waits forever. Default: 0.
   */
  queryTimeoutMs?: number;
  /**
   * PostgreSQL's `statement_timeout`, ms: the server cancels a statement that runs this long, a wait
   * for a lock included (SQLSTATE 57014), and the connection stays usable. Without it, a statement
   * the client gave up on (`queryTimeoutMs`) runs on in the server. Keep it below `queryTimeoutMs`, so
   * the server cancels a slow statement before the client drops its connection as hung. 0 leaves the
   * server's setting. Default: 0.
   */
  statementTimeoutMs?: number;
  /**
   * PostgreSQL's `idle_in_transaction_session_timeout`, ms: the server ends a session whose transaction
   * waits this long for its client's next statement (a client that hung mid-transaction), releasing the
   * locks that would block every other writer of the same rows. 0 leaves the server's setting. Default: 0.
   */
  idleInTransactionTimeoutMs?: number;
  /**
   * Run the loaders' statements (marked with `prepared`) as named prepared
   * statements, parsed and planned once per connection. Turn off behind a
   * pooler that cannot carry them (PgBouncer in transaction mode before 1.21,
   * or without `max_prepared_statements`). Default: `true`.
   */
  preparedStatements?: boolean;
}

export interface DatabaseHandle {
  db: Kysely<Database>;
  pool: pg.Pool;
  /** Ends the pool. */
  destroy(): Promise<void>;
}

/**
 * Pool settings shared by every connection this package opens. pg lets a URL's `options` replace the
 * config's, so the URL's own startup options are taken out of it and merged with ours, the later
 * `-c` winning: the timeouts given here come first (a `statement_timeout` written in the URL is the
 * more deliberate), the URL's next, then what must hold whatever the URL says: every session is in
 * UTC and starts its `search_path` with `schema`. Everything else in the URL (ssl, sockets, the
 * password) is pg's to read.
 */
export function poolConfig(options: DatabaseOptions = {}): pg.PoolConfig {
  const connectionString = options.connectionString ?? process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL;
  if (typeof connectionString !== 'string') {
    throw new InvalidOptionError('connectionString', 'must be a PostgreSQL URL string');
  }
  // pg reads a negative or non-numeric size as a pool that never hands out a connection, and such an
  // acquire timeout as one that times every acquire out: a typo would look like a database outage.
  const max = options.max ?? 10;
  if (!Number.isInteger(max) || max < 1) {
    throw new InvalidOptionError('max', `must be a whole number of connections >= 1, got ${String(max)}`);
  }
  const acquireTimeoutMs = milliseconds(options, 'acquireTimeoutMs');
  // The schema goes into the connection's options unquoted.
  if (options.schema !== undefined && !isPlainIdentifier(options.schema)) {
    throw new InvalidOptionError(
      'schema',
      `must be a plain identifier, got ${JSON.stringify(options.schema)}`,
    );
  }
  const queryTimeoutMs = milliseconds(options, 'queryTimeoutMs');
  const statementTimeoutMs = milliseconds(options, 'statementTimeoutMs');
  const idleInTransactionTimeoutMs = milliseconds(options, 'idleInTransactionTimeoutMs');
  return {
    connectionString: withoutStartupOptions(connectionString),
    max,
    connectionTimeoutMillis: acquireTimeoutMs,
    ...(queryTimeoutMs > 0 ? { query_timeout: queryTimeoutMs } : {}),
    application_name: options.applicationName ?? 'perfkit',
    types: pgTypes,
    // Day boundaries and text renderings agree everywhere only if every session is in UTC.
    options: [
      statementTimeoutMs > 0 ? `-c statement_timeout=${statementTimeoutMs}` : undefined,
      idleInTransactionTimeoutMs > 0
        ? `-c idle_in_transaction_session_timeout=${idleInTransactionTimeoutMs}`
        : undefined,
      startupOptionsOf(connectionString),
      '-c TimeZone=UTC',
      options.schema ? `-c search_path=${options.schema},public` : undefined,
    ]
      .filter(Boolean)
      .join(' '),
  };
}

/** A whole number of ms >= 0 (0 when not given), or an InvalidOptionError naming the option. */
function milliseconds(
  options: DatabaseOptions,
  option: 'acquireTimeoutMs' | 'queryTimeoutMs' | 'statementTimeoutMs' | 'idleInTransactionTimeoutMs',
): number {
  const value = options[option] ?? 0;
  if (!Number.isInteger(value) || value < 0 || value > POSTGRES_MAX_TIMEOUT_MS) {
    throw new InvalidOptionError(
      option,
      `must be a whole number of ms from 0 to ${POSTGRES_MAX_TIMEOUT_MS}, got ${String(value)}`,
    );
  }
  return value;
}

/** The URL's `options` parameter, as pg reads it; an unparseable URL is named without its text (a password). */
function startupOptionsOf(connectionString: string): string | undefined {
  try {
    return parse(connectionString).options ?? undefined;
  } catch {
    throw new InvalidOptionError('connectionString', 'must be a PostgreSQL URL');
  }
}

/** The URL without its `options` query parameter, every other character as given. */
function withoutStartupOptions(connectionString: string): string {
  const query = connectionString.indexOf('?');
  if (query === -1) return connectionString;
  const kept = connectionString
    .slice(query + 1)
    .split('&')
    .filter((parameter) => parameter.split('=', 1)[0] !== 'options');
  return kept.length === 0
    ? connectionString.slice(0, query)
    : `${connectionString.slice(0, query)}?${kept.join('&')}`;
}

/**
 * Opens a pg pool and a Kysely instance over it.
 *
 * @example
 * const { db, destroy } = createDatabase({ connectionString: process.env.DATABASE_URL });
 * const agents = await db.selectFrom('agents').selectAll().execute();
 * await destroy();
 */
export function createDatabase(options: DatabaseOptions = {}): DatabaseHandle {
  const pool = new pg.Pool(poolConfig(options));
  // A connection's error (the server restarted, its backend was terminated) must not crash the
  // process. The pool hears it for idle clients only; a checked-out client emits it itself, and its
  // query in flight rejects with the error anyway. Either way the pool drops that client.
  pool.on('error', () => {});
  pool.on('connect', (client) => client.on('error', () => {}));
  const dialect = new PostgresDialect({
    pool: preparingPool(pool, { named: options.preparedStatements !== false }),
  });
  const db = new Kysely<Database>({ dialect });
  return { db, pool, destroy: () => db.destroy() };
}
