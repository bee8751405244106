import { MAX_TIMER_MS, within } from '@perfkit/primitives';
import { ExplainFailedError } from '../errors.js';
import { redactLiterals } from './query-shape.js';

/**
 * A connection checked out of an {@link ExplainPool}: `pg`'s `PoolClient` fits.
 *
 * @example
 * ```ts
 * const client: ExplainClient = await new pg.Pool().connect();
 * ```
 */
export interface ExplainClient {
  query(text: string, values?: readonly unknown[]): Promise<{ rows: Array<Record<string, unknown>> }>;
  release(error?: Error | boolean): void;
}

/**
 * Where `EXPLAIN` runs, apart from the application's connections: `pg.Pool` fits.
 *
 * @example
 * ```ts
 * createMonitor({ slowQueries: { explainPool: new pg.Pool({ connectionString, max: 1 }) } });
 * ```
 */
export interface ExplainPool {
  connect(): Promise<ExplainClient>;
}

// EXPLAIN without ANALYZE plans and never executes, so writes are safe to
// explain too; anything else (DDL, SET, BEGIN) has no plan.
const EXPLAINABLE = /^\s*\(?\s*(select|insert|update|delete|with|values|table)\b/i;

/** Whether a statement has a plan to explain. */
export function isExplainable(sql: string): boolean {
  return EXPLAINABLE.test(sql);
}

// Plan conditions print the bound parameter values (`(user_id = 42)`).
const CONDITION_KEY = /(Cond|Filter)$/;

function redactPlan(node: unknown, key = ''): unknown {
  if (typeof node === 'string') return CONDITION_KEY.test(key) ? redactLiterals(node) : node;
  if (Array.isArray(node)) return node.map((item) => redactPlan(item));
  if (node !== null && typeof node === 'object') {
    return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, redactPlan(v, k)]));
  }
  return node;
}

/** How long past its `statement_timeout` an EXPLAIN may go unanswered: a server that does not answer at all. */
const UNANSWERED_SLACK_MS = 1_000;

/**
 * Runs `EXPLAIN (FORMAT JSON)` for `sql` with its parameters in a transaction
 * with a `statement_timeout`, and returns the plan with the literal values of
 * its conditions redacted. The server's timeout bounds the statement; the
 * whole (connecting included) is bounded here too, since a database that
 * accepts the connection and never answers would hold the report, and
 * `close()` waiting for it, forever.
 */
export async function explainQuery(
  pool: ExplainPool,
  sql: string,
  params: readonly unknown[],
  timeoutMs: number,
): Promise<unknown> {
  const boundMs = Math.min(timeoutMs + UNANSWERED_SLACK_MS, MAX_TIMER_MS);
  const plan = await within(explainOnce(pool, sql, params, timeoutMs), boundMs, UNANSWERED);
  if (plan === UNANSWERED) {
    throw new ExplainFailedError(new Error(`the EXPLAIN database did not answer within ${boundMs} ms`));
  }
  return plan;
}

const UNANSWERED: unique symbol = Symbol('unanswered');

async function explainOnce(
  pool: ExplainPool,
  sql: string,
  params: readonly unknown[],
  timeoutMs: number,
): Promise<unknown> {
  let client: ExplainClient | undefined;
  try {
    client = await pool.connect();
    await client.query('BEGIN');
    await client.query(`SET LOCAL statement_timeout = ${Math.max(1, Math.round(timeoutMs))}`);
    const { rows } = await client.query(`EXPLAIN (FORMAT JSON) ${sql}`, params);
    await client.query('ROLLBACK');
    client.release();
    return redactPlan(rows[0]?.['QUERY PLAN']);
  } catch (error) {
    // A connection left mid-transaction must not go back to the pool.
    client?.release(true);
    throw new ExplainFailedError(error);
  }
}
