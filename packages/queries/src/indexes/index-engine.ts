import { withDefaults } from '@perfkit/primitives';
import pg from 'pg';
import { POSTGRES_MAX_TIMEOUT_MS, poolConfig } from '../db/connection.js';
import { isPlainIdentifier } from '../db/plain-identifier.js';
import { IndexesBusyError, InvalidOptionError } from '../errors.js';
import { timerMs } from '../timer-ms.js';
import { declaredIndexes, type IndexDefinition } from './declared-indexes.js';
import { declaredIndexDef, normaliseIndexDef } from './index-definition.js';

/** Where the engine connects: a pool (one client is borrowed) or a URL. */
export type IndexTarget = pg.Pool | string;

/** Options shared by every index-engine function. */
export interface IndexSelectionOptions {
  /** Only these index names. Default: all of {@link declaredIndexes}. */
  only?: readonly string[];
  /** The indexes to manage. Default: {@link declaredIndexes}. */
  indexes?: readonly IndexDefinition[];
  /** Schema to work in: the `search_path` of the builds is this schema only. Default: the connection's. */
  schema?: string;
}

/** Options of {@link applyIndexes}. */
export interface ApplyIndexesOptions extends IndexSelectionOptions {
  /** `lock_timeout` of each statement, ms: a build never queues behind a long lock and stalls writers. Default: 5,000. */
  lockTimeoutMs?: number;
  /** `statement_timeout` of each build, ms. Default: 1,800,000 (30 min). */
  statementTimeoutMs?: number;
  /**
   * How long to wait for another process applying or dropping the indexes, ms, before
   * `IndexesBusyError`; 0 does not wait (an app instance that need not hold its start for another's
   * build). Default: `statementTimeoutMs` (without a limit when that is 0).
   */
  busyWaitMs?: number;
  /** Attempts per index when a lock times out or a deadlock is detected. Default: 3. */
  maxAttempts?: number;
  /** Wait before the first retry, ms; doubled after each. Default: 1,000. */
  retryDelayMs?: number;
  /** `ANALYZE` each table that got an index. Default: `true`. */
  analyze?: boolean;
  /** Called with each result as soon as it is known. Default: none. */
  onResult?: (result: IndexResult) => void;
}

/** Options of {@link dropIndexes}. */
export interface DropIndexesOptions extends IndexSelectionOptions {
  /** `lock_timeout` of each drop, ms. Default: 5,000. */
  lockTimeoutMs?: number;
  /** Called with each result as soon as it is known. Default: none. */
  onResult?: (result: DropIndexResult) => void;
}

/** What happened to one index. */
export interface IndexResult {
  name: string;
  table: string;
  /**
   * `rebuilt`: an INVALID leftover of a failed build, or an index whose
   * definition differs from the declared one, was dropped and built again.
   */
  status: 'created' | 'existing' | 'rebuilt' | 'failed';
  durationMs: number;
  /** The error of the last attempt, when `failed`. */
  error?: string;
  /**
   * When `failed` and the build left an INVALID index behind (which every
   * write would still maintain): `dropped`, or `remains` if dropping it
   * failed too (the next apply rebuilds it).
   */
  leftover?: 'dropped' | 'remains';
}

/** What happened to one index on drop. */
export interface DropIndexResult {
  name: string;
  table: string;
  status: 'dropped' | 'absent' | 'failed';
  durationMs: number;
  error?: string;
}

/** One index as it is in the database. */
export interface IndexState {
  name: string;
  table: string;
  exists: boolean;
  /** `false` for an index left INVALID by a failed or cancelled concurrent build. */
  valid: boolean;
  /**
   * Whether it is on its table with the declared definition (`pg_get_indexdef`
   * compared without name and table); `false` when absent.
   */
  asDeclared: boolean;
  sizeBytes: number;
}

/** An index as read from the catalog, before its definition is compared. */
interface StoredIndex extends Omit<IndexState, 'asDeclared'> {
  onTable: boolean;
  indexDef: string | null;
}

/** What {@link applyIndexes} would do for one index, and the SQL it would run. */
export interface IndexPlanStep {
  name: string;
  table: string;
  action: 'create' | 'rebuild' | 'skip';
  sql: string[];
  why: string;
}

/** Default {@link ApplyIndexesOptions}, resolved in one place. */
export const APPLY_INDEXES_DEFAULTS = {
  lockTimeoutMs: 5_000,
  statementTimeoutMs: 1_800_000,
  maxAttempts: 3,
  retryDelayMs: 1_000,
  analyze: true,
} as const;

// lock_not_available (lock_timeout) and deadlock_detected: transient, worth a retry.
const RETRYABLE = new Set(['55P03', '40P01']);

function selectIndexes(options: IndexSelectionOptions): IndexDefinition[] {
  const all = options.indexes ?? declaredIndexes;
  for (const index of all) {
    if (!isPlainIdentifier(index.name) || !isPlainIdentifier(index.table)) {
      throw new InvalidOptionError(
        'indexes',
        `must name tables and indexes by plain identifiers, got index ${JSON.stringify(index.name)} on table ${JSON.stringify(index.table)}`,
      );
    }
  }
  if (!options.only) return [...all];
  if (!Array.isArray(options.only)) {
    throw new InvalidOptionError(
      'only',
      `must be an array of index names, got ${JSON.stringify(options.only)}`,
    );
  }
  const unknown = options.only.filter((name) => !all.some((i) => i.name === name));
  if (unknown.length > 0) {
    throw new InvalidOptionError(
      'only',
      `must each be one of ${all.map((i) => i.name).join(', ')}, got ${unknown.join(', ')}`,
    );
  }
  return all.filter((i) => options.only?.includes(i.name));
}

/** The statement that builds an index without blocking writes. */
export function createIndexSql(index: IndexDefinition): string {
  return `CREATE INDEX CONCURRENTLY IF NOT EXISTS ${index.name} ON ${index.table} ${index.definition}`;
}

/** The statement that drops an index without blocking reads or writes. */
export function dropIndexSql(index: Pick<IndexDefinition, 'name'>): string {
  return `DROP INDEX CONCURRENTLY IF EXISTS ${index.name}`;
}

/**
 * Runs a build, a drop or an ANALYZE, which may take minutes and which the server bounds itself
 * (`statement_timeout`, `lock_timeout`): a pool's `query_timeout`, meant for an application's reads,
 * must not cut it short while the server goes on building.
 */
function runLong(client: pg.ClientBase, text: string): Promise<unknown> {
  // pg reads a query's own `query_timeout` (over the client's), which @types/pg does not declare.
  const statement: pg.QueryConfig & { query_timeout: number } = {
    text,
    query_timeout: POSTGRES_MAX_TIMEOUT_MS,
  };
  return client.query(statement);
}

/**
 * How long the engine's own connection (a connection string as target) may take to connect: without
 * a bound, a host that drops packets holds the call for the kernel's TCP retries (about 2 min).
 */
const CONNECT_TIMEOUT_MS = 10_000;

async function withClient<T>(
  target: IndexTarget,
  schema: string | undefined,
  fn: (c: pg.ClientBase) => Promise<T>,
) {
  if (schema !== undefined && !isPlainIdentifier(schema)) {
    throw new InvalidOptionError('schema', `must be a plain identifier, got ${JSON.stringify(schema)}`);
  }
  const own = typeof target === 'string';
  const client: pg.ClientBase = own
    ? new pg.Client({
        ...poolConfig({ connectionString: target }),
        connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
      })
    : await target.connect();
  // A build's backend may be terminated: the statement in flight rejects with the error (reported
  // as a failed index); the connection's own 'error' event must not crash the process.
  const ignore = () => {};
  client.on('error', ignore);
  if (own) await (client as pg.Client).connect();
  try {
    if (schema !== undefined) await client.query(`SET search_path TO ${schema}`);
    return await fn(client);
  } finally {
    // A pooled client goes back with the session as it found it, or not at all: one that cannot
    // reset (its connection lost or hung, a statement of it timed out) is dropped.
    const reset = await client.query('RESET ALL').then(
      () => true,
      () => false,
    );
    client.off('error', ignore);
    if (own) await (client as pg.Client).end().catch(() => {});
    else (client as pg.PoolClient).release(!reset);
  }
}

async function readStored(
  client: pg.ClientBase,
  indexes: readonly IndexDefinition[],
): Promise<StoredIndex[]> {
  const { rows } = await client.query<{
    exists: boolean;
    valid: boolean;
    size_bytes: string;
    on_table: boolean;
    index_def: string | null;
  }>(
    `SELECT c.oid IS NOT NULL AS exists, coalesce(i.indisvalid, false) AS valid,
            coalesce(pg_relation_size(c.oid), 0) AS size_bytes,
            coalesce(i.indrelid = to_regclass(t.table_name), false) AS on_table,
            pg_get_indexdef(c.oid) AS index_def
     FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS t(name, table_name, n)
     LEFT JOIN pg_class c ON c.oid = to_regclass(t.name) AND c.relkind = 'i'
     LEFT JOIN pg_index i ON i.indexrelid = c.oid
     ORDER BY t.n`,
    [indexes.map((i) => i.name), indexes.map((i) => i.table)],
  );
  return indexes.map((index, n) => {
    const row = rows[n];
    return {
      name: index.name,
      table: index.table,
      exists: row?.exists === true,
      valid: row?.valid === true,
      sizeBytes: Number(row?.size_bytes ?? 0),
      onTable: row?.on_table === true,
      indexDef: row?.index_def ?? null,
    };
  });
}

async function isAsDeclared(
  client: pg.ClientBase,
  index: IndexDefinition,
  stored: StoredIndex,
): Promise<boolean> {
  if (!stored.exists || !stored.onTable || stored.indexDef === null) return false;
  return normaliseIndexDef(stored.indexDef) === (await declaredIndexDef(client, index));
}

async function readStates(client: pg.ClientBase, indexes: readonly IndexDefinition[]): Promise<IndexState[]> {
  const states: IndexState[] = [];
  for (const [n, stored] of (await readStored(client, indexes)).entries()) {
    const { name, table, exists, valid, sizeBytes } = stored;
    const asDeclared = await isAsDeclared(client, indexes[n] as IndexDefinition, stored);
    states.push({ name, table, exists, valid, asDeclared, sizeBytes });
  }
  return states;
}

/**
 * The state of each declared index: present, valid, built as declared, size.
 *
 * @example
 * const broken = (await indexStatus(pool)).filter((s) => s.exists && !s.valid);
 */
export async function indexStatus(
  target: IndexTarget,
  options: IndexSelectionOptions = {},
): Promise<IndexState[]> {
  const indexes = selectIndexes(options);
  return withClient(target, options.schema, (client) => readStates(client, indexes));
}

/**
 * What {@link applyIndexes} would run: with a target, from the indexes'
 * current state (valid ones as declared skipped; INVALID ones, and ones whose
 * definition differs, rebuilt); without, as if none existed.
 *
 * @example
 * for (const step of await planIndexes(process.env.DATABASE_URL)) console.log(step.sql.join(';\n'));
 */
export async function planIndexes(
  target?: IndexTarget,
  options: IndexSelectionOptions = {},
): Promise<IndexPlanStep[]> {
  const indexes = selectIndexes(options);
  const states = target
    ? await withClient(target, options.schema, (client) => readStates(client, indexes))
    : indexes.map(() => ({ exists: false, valid: false, asDeclared: false }));
  return indexes.map((index, n) => {
    const state = states[n];
    const action = state?.exists ? (state.valid && state.asDeclared ? 'skip' : 'rebuild') : 'create';
    const sql =
      action === 'skip'
        ? []
        : action === 'rebuild'
          ? [dropIndexSql(index), createIndexSql(index)]
          : [createIndexSql(index)];
    return { name: index.name, table: index.table, action, sql, why: index.why };
  });
}

function resolveApplyOptions(options: ApplyIndexesOptions) {
  const resolved = withDefaults(APPLY_INDEXES_DEFAULTS, options);
  // A PostgreSQL timeout takes what a Node.js timer does: 0 to 2^31 − 1 ms.
  for (const key of ['lockTimeoutMs', 'statementTimeoutMs', 'retryDelayMs'] as const)
    timerMs(key, resolved[key]);
  const busyWaitMs =
    options.busyWaitMs === undefined
      ? resolved.statementTimeoutMs || Number.POSITIVE_INFINITY
      : timerMs('busyWaitMs', options.busyWaitMs);
  if (!Number.isInteger(resolved.maxAttempts) || resolved.maxAttempts < 1) {
    throw new InvalidOptionError(
      'maxAttempts',
      `must be an integer >= 1, got ${String(resolved.maxAttempts)}`,
    );
  }
  return { ...resolved, busyWaitMs };
}

const errorCode = (error: unknown) => (error as { code?: string } | null)?.code;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function applyOne(
  client: pg.ClientBase,
  index: IndexDefinition,
  opts: ReturnType<typeof resolveApplyOptions>,
): Promise<IndexResult> {
  const started = performance.now();
  const result = (status: IndexResult['status'], error?: unknown): IndexResult => ({
    name: index.name,
    table: index.table,
    status,
    durationMs: performance.now() - started,
    ...(error === undefined ? {} : { error: error instanceof Error ? error.message : String(error) }),
  });
  // Whether this call dropped an index that was there before it, and whether it has built one (an
  // INVALID index found after that is its own retry's leftover, whose drop is no rebuild).
  let rebuilt = false;
  let built = false;
  for (let attempt = 1; ; attempt++) {
    try {
      const [stored] = await readStored(client, [index]);
      if (stored?.exists) {
        if (stored.valid && (await isAsDeclared(client, index, stored))) {
          return result(rebuilt ? 'rebuilt' : 'existing');
        }
        // An INVALID index is a failed build's leftover: it slows writes and serves no read.
        // A valid one built otherwise than declared would keep serving the old definition.
        await runLong(client, dropIndexSql(index));
        if (!built) rebuilt = true;
      }
      built = true;
      await runLong(client, createIndexSql(index));
      return result(rebuilt ? 'rebuilt' : 'created');
    } catch (error) {
      if (!RETRYABLE.has(errorCode(error) ?? '') || attempt >= opts.maxAttempts) {
        const leftover = await dropInvalidLeftover(client, index);
        return { ...result('failed', error), ...(leftover === undefined ? {} : { leftover }) };
      }
      await sleep(opts.retryDelayMs * 2 ** (attempt - 1));
    }
  }
}

// A concurrent build that fails leaves its index INVALID: never read, yet
// maintained by every write until dropped.
async function dropInvalidLeftover(
  client: pg.ClientBase,
  index: IndexDefinition,
): Promise<IndexResult['leftover']> {
  try {
    const [stored] = await readStored(client, [index]);
    if (!stored?.exists || stored.valid) return undefined;
    await runLong(client, dropIndexSql(index));
    return 'dropped';
  } catch {
    return 'remains';
  }
}

/**
 * Builds the declared indexes one at a time, each `CONCURRENTLY` (so outside
 * any transaction, writes keep flowing) under its own `lock_timeout` and
 * `statement_timeout`, retrying when a lock times out. An INVALID leftover of
 * an interrupted build, or an index whose definition (`pg_get_indexdef`)
 * differs from the declared one, is dropped and rebuilt; a valid index as
 * declared is left alone, so running it again is a no-op. A build that fails
 * for good drops its own INVALID leftover. Tables that got an index are
 * ANALYZEd. Never throws for one index: each gets a result. One apply or
 * drop runs at a time per schema, across processes: a second waits up to
 * `busyWaitMs` for the first, then finds its indexes (else
 * `IndexesBusyError`).
 *
 * @example
 * const results = await applyIndexes(process.env.DATABASE_URL!, { lockTimeoutMs: 2_000 });
 * if (results.some((r) => r.status === 'failed')) process.exitCode = 1;
 */
export async function applyIndexes(
  target: IndexTarget,
  options: ApplyIndexesOptions = {},
): Promise<IndexResult[]> {
  const opts = resolveApplyOptions(options);
  const indexes = selectIndexes(options);
  return withClient(target, options.schema, async (client) => {
    await client.query(`SET statement_timeout = ${Math.round(opts.statementTimeoutMs)}`);
    return oneAtATime(client, opts.busyWaitMs, async () => {
      await client.query(`SET lock_timeout = ${Math.round(opts.lockTimeoutMs)}`);
      const results: IndexResult[] = [];
      for (const index of indexes) {
        const result = await applyOne(client, index, opts);
        results.push(result);
        opts.onResult?.(result);
      }
      if (opts.analyze) {
        const touched = new Set(
          results.filter((r) => r.status === 'created' || r.status === 'rebuilt').map((r) => r.table),
        );
        for (const table of touched) await runLong(client, `ANALYZE ${table}`);
      }
      return results;
    });
  });
}

/** The schema's index lock: one apply or drop at a time, whichever process runs it. */
const INDEX_LOCK_KEY = `hashtextextended(current_schema() || '.perfkit.indexes', 0)`;
const INDEX_LOCK_POLL_MS = 200;

/**
 * Runs `fn` holding the schema's index lock, waiting up to `waitMs` for it (0: not at all). Two instances starting at
 * once would otherwise build the same index: the second found the first's build in progress as an
 * INVALID leftover, tried to drop it, and reported a failure (or a rebuild) for an index that ended
 * valid. The lock is polled, not waited for in one statement: a concurrent build waits for every
 * statement older than its phases, and a statement waiting for the build's own lock is a deadlock.
 */
async function oneAtATime<T>(client: pg.ClientBase, waitMs: number, fn: () => Promise<T>): Promise<T> {
  const giveUpAt = performance.now() + waitMs;
  for (;;) {
    const { rows } = await client.query<{ locked: boolean }>(
      `SELECT pg_try_advisory_lock(${INDEX_LOCK_KEY}) AS locked`,
    );
    if (rows[0]?.locked) break;
    if (performance.now() >= giveUpAt) {
      throw new IndexesBusyError(waitMs);
    }
    await sleep(INDEX_LOCK_POLL_MS);
  }
  try {
    return await fn();
  } finally {
    // A session lock outlives RESET ALL; on a broken connection the pool drops the client, and the lock with it.
    await client.query(`SELECT pg_advisory_unlock(${INDEX_LOCK_KEY})`).catch(() => undefined);
  }
}

/**
 * Drops the declared indexes (each `CONCURRENTLY`, under the same lock
 * timeout policy), e.g. to measure the "before" or to undo `applyIndexes`.
 *
 * @example
 * await dropIndexes(pool, { only: ['leads_call_id_idx'] });
 */
export async function dropIndexes(
  target: IndexTarget,
  options: DropIndexesOptions = {},
): Promise<DropIndexResult[]> {
  const indexes = selectIndexes(options);
  const lockTimeoutMs = timerMs(
    'lockTimeoutMs',
    options.lockTimeoutMs ?? APPLY_INDEXES_DEFAULTS.lockTimeoutMs,
  );
  return withClient(target, options.schema, async (client) =>
    oneAtATime(client, APPLY_INDEXES_DEFAULTS.statementTimeoutMs, async () => {
      await client.query(`SET lock_timeout = ${Math.round(lockTimeoutMs)}`);
      const results: DropIndexResult[] = [];
      for (const index of indexes) {
        const started = performance.now();
        let status: DropIndexResult['status'];
        let error: string | undefined;
        try {
          const [stored] = await readStored(client, [index]);
          status = stored?.exists ? 'dropped' : 'absent';
          if (stored?.exists) await runLong(client, dropIndexSql(index));
        } catch (e) {
          status = 'failed';
          error = e instanceof Error ? e.message : String(e);
        }
        const result = {
          name: index.name,
          table: index.table,
          status,
          durationMs: performance.now() - started,
        };
        const full = error === undefined ? result : { ...result, error };
        results.push(full);
        options.onResult?.(full);
      }
      return results;
    }),
  );
}
