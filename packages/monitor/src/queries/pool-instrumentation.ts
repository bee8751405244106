import type { NowClock } from '@perfkit/primitives';
import type { ExplainPool } from './explain-runner.js';
import type { QueryRecorder } from './query-recorder.js';

/**
 * A client whose `query` the monitor times: `pg`'s `Client` fits.
 *
 * @example
 * ```ts
 * pool.on('connect', (client: QueryClient) => client.query('SET application_name = $1', ['api']));
 * ```
 */
export interface QueryClient {
  query: (...args: never[]) => unknown;
}

/**
 * What `instrumentPool` needs of a pool: `pg.Pool` fits. The pool's
 * constructor and `options` build the one-connection `EXPLAIN` pool.
 *
 * @example
 * ```ts
 * monitor.instrumentPool(new pg.Pool({ connectionString }) satisfies InstrumentablePool);
 * ```
 */
export interface InstrumentablePool {
  on(event: 'connect', listener: (client: QueryClient) => void): unknown;
  readonly totalCount: number;
  readonly idleCount: number;
  readonly waitingCount: number;
  readonly options?: object;
}

type QueryFn = (...args: unknown[]) => unknown;

function textAndValues(args: unknown[]): { sql: string | undefined; values: readonly unknown[] | undefined } {
  const [config, values] = args;
  if (typeof config === 'string') return { sql: config, values: Array.isArray(values) ? values : undefined };
  const object = config as { text?: unknown; values?: unknown } | null | undefined;
  return {
    sql: typeof object?.text === 'string' ? object.text : undefined,
    values: Array.isArray(values) ? values : Array.isArray(object?.values) ? object.values : undefined,
  };
}

function isSubmittable(config: unknown): boolean {
  return typeof (config as { submit?: unknown } | null)?.submit === 'function';
}

/**
 * Wraps `client.query` so that every query (promise or callback style) is
 * timed by the recorder. Streams (`Submittable`s such as pg-cursor) pass
 * through untimed: their duration is the reader's, not the database's.
 */
export function timeClientQueries(
  client: QueryClient,
  recorder: QueryRecorder,
  clock: NowClock,
  explainPool: ExplainPool | undefined,
): void {
  const original = client.query as QueryFn;
  const timed: QueryFn = function (this: unknown, ...args) {
    if (isSubmittable(args[0])) return original.apply(this, args);
    const { sql, values } = textAndValues(args);
    if (sql === undefined) return original.apply(this, args);
    const start = clock.now();
    const done = (failed: boolean) => recorder.record(sql, values, clock.now() - start, failed, explainPool);
    const callback = args[args.length - 1];
    if (typeof callback === 'function') {
      args[args.length - 1] = (error: unknown, result: unknown) => {
        done(error != null);
        callback(error, result);
      };
      return original.apply(this, args);
    }
    const result = original.apply(this, args) as Promise<unknown>;
    // Observe without replacing the caller's promise, whose rejection stays theirs.
    result.then(
      () => done(false),
      () => done(true),
    );
    return result;
  };
  client.query = timed as QueryClient['query'];
}

type SiblingPool = ExplainPool & {
  on(event: 'error', listener: (error: Error) => void): unknown;
  on(
    event: 'connect',
    listener: (client: { on(event: 'error', listener: (error: Error) => void): unknown }) => void,
  ): unknown;
  end(): Promise<void>;
};

/**
 * Builds the separate one-connection pool that `EXPLAIN` runs on, with
 * `pool`'s settings; `onError` hears its connection's errors, idle or not.
 */
export function createSiblingExplainPool(
  pool: InstrumentablePool,
  onError: (error: Error) => void,
): ExplainPool & { end(): Promise<void> } {
  const PoolClass = pool.constructor as new (options: object) => SiblingPool;
  const sibling = new PoolClass({
    ...pool.options,
    max: 1,
    idleTimeoutMillis: 10_000,
    allowExitOnIdle: true,
  });
  // The pool hears an idle connection's error; a checked-out one (between BEGIN and ROLLBACK) emits
  // it on the client, where unheard it would crash the process.
  sibling.on('error', onError);
  sibling.on('connect', (client) => client.on('error', onError));
  return sibling;
}
