import { withDefaults } from '@perfkit/primitives';
import { type Kysely, sql, type Transaction } from 'kysely';
import { dailyColumnList, groupedDailyMetrics, rawDailyMetrics } from '../analytics/daily-metrics.js';
import { InvalidOptionError } from '../errors.js';
import type { Database } from '../schema/database.js';
import { timerMs } from '../timer-ms.js';

/** Options of {@link runRollup}. */
export interface RollupOptions {
  /**
   * Recompute every agent-day from raw rows (after a seed or a bulk load with
   * triggers off) instead of only the dirty ones. Default: `false`.
   */
  full?: boolean;
  /** Dirty agent-days recomputed per transaction. Default: 5,000. */
  batchSize?: number;
  /** Transactions per call; what is left stays dirty (still exact) for the next run. Default: 100. */
  maxBatches?: number;
  /** After a full rollup, `VACUUM (ANALYZE)` the rollup so index-only scans work at once. Default: `true`. */
  vacuum?: boolean;
}

/** What one {@link runRollup} call did. */
export interface RollupResult {
  /** `skipped`: another instance held the rollup lock, nothing was done. */
  status: 'done' | 'skipped';
  mode: 'full' | 'incremental';
  /** Agent-days recomputed from raw rows (for a full rollup, the rows written). */
  days: number;
  batches: number;
  /** `true` when `maxBatches` stopped the run with dirty days left. */
  more: boolean;
  durationMs: number;
}

/** Default {@link RollupOptions}, resolved in one place. */
export const ROLLUP_DEFAULTS = { full: false, batchSize: 5_000, maxBatches: 100, vacuum: true } as const;

function resolveOptions(options: RollupOptions): Required<RollupOptions> {
  const resolved = withDefaults(ROLLUP_DEFAULTS, options);
  for (const key of ['batchSize', 'maxBatches'] as const) {
    if (!Number.isInteger(resolved[key]) || resolved[key] < 1) {
      throw new InvalidOptionError(key, `must be a positive integer, got ${String(resolved[key])}`);
    }
  }
  return resolved;
}

/**
 * Takes the rollup's transaction-scoped advisory lock without waiting. Keyed
 * by schema, so schemas sharing a database roll up independently.
 */
async function tryRollupLock(trx: Transaction<Database>): Promise<boolean> {
  const { rows } = await sql<{ locked: boolean }>`
    SELECT pg_try_advisory_xact_lock(hashtextextended(current_schema() || '.perfkit.rollup', 0)) AS locked`.execute(
    trx,
  );
  return rows[0]?.locked === true;
}

interface DirtyKey {
  agent_id: number;
  user_id: number;
  day: string;
}

/**
 * Recomputes `agent_totals` of these agents (all with `null`) from their
 * rollup rows, in the rollup's transaction: totals always equal the sum of
 * the rows beside them.
 */
async function refreshTotals(trx: Transaction<Database>, agentIds: number[] | null): Promise<void> {
  const only = (column: string) =>
    agentIds === null ? sql`true` : sql`${sql.ref(column)} = ANY(${agentIds}::bigint[])`;
  await sql`DELETE FROM agent_totals WHERE ${only('agent_id')}`.execute(trx);
  await sql`
    INSERT INTO agent_totals (agent_id, user_id, calls_total, calls_completed, duration_completed_seconds, leads_total,
      last_call_at)
    SELECT agent_id, user_id, sum(calls_total), sum(calls_completed), sum(duration_completed_seconds), sum(leads_total),
      max(last_call_at)
    FROM agent_analytics WHERE ${only('agent_id')}
    GROUP BY agent_id, user_id`.execute(trx);
}

/** One incremental batch; `null` when another instance holds the lock. */
async function rollupBatch(db: Kysely<Database>, batchSize: number): Promise<number | null> {
  return db.transaction().execute(async (trx) => {
    if (!(await tryRollupLock(trx))) return null;
    // SKIP LOCKED: pairs a writer is marking right now stay dirty for the next run
    // instead of making the rollup (and then the writer) wait.
    const { rows: keys } = await sql<DirtyKey>`
      DELETE FROM analytics_dirty d
      USING (SELECT agent_id, day FROM analytics_dirty ORDER BY day, agent_id LIMIT ${batchSize}
             FOR UPDATE SKIP LOCKED) p
      WHERE d.agent_id = p.agent_id AND d.day = p.day
      RETURNING d.agent_id, d.user_id, d.day`.execute(trx);
    if (keys.length === 0) return 0;
    // The recompute must be a later statement than the DELETE: its snapshot then
    // includes every writer that touched these pairs before we locked them, and
    // later writers block on our locks and mark the pairs dirty again after we commit.
    const agentIds = keys.map((k) => k.agent_id);
    const userIds = keys.map((k) => k.user_id);
    const days = keys.map((k) => k.day);
    await sql`
      DELETE FROM agent_analytics a
      USING unnest(${agentIds}::bigint[], ${days}::date[]) AS k(agent_id, day)
      WHERE a.agent_id = k.agent_id AND a.day = k.day`.execute(trx);
    await sql`
      WITH keys AS (
        SELECT * FROM unnest(${agentIds}::bigint[], ${userIds}::bigint[], ${days}::date[]) AS k(agent_id, user_id, day)
      ),
      fresh AS (${rawDailyMetrics('keys')})
      INSERT INTO agent_analytics (${dailyColumnList()})
      SELECT ${dailyColumnList()} FROM fresh
      -- A day whose rows are all gone keeps no row; the FK drops days of deleted agents.
      WHERE calls_total > 0 OR leads_total > 0`.execute(trx);
    await refreshTotals(trx, [...new Set(agentIds)]);
    return keys.length;
  });
}

/** The full rebuild; `null` when another instance holds the lock. */
async function rollupFull(db: Kysely<Database>): Promise<number | null> {
  return db.transaction().execute(async (trx) => {
    if (!(await tryRollupLock(trx))) return null;
    await sql`SET LOCAL work_mem = '256MB'`.execute(trx);
    // Clear the dirty set first (waiting for writers holding pairs) so the rebuild's
    // snapshot, taken by the next statements, includes all of them.
    await sql`DELETE FROM analytics_dirty`.execute(trx);
    // DELETE, not TRUNCATE: readers keep reading the old rows until we commit.
    await sql`DELETE FROM agent_analytics`.execute(trx);
    const result = await sql`
      INSERT INTO agent_analytics (${dailyColumnList()})
      SELECT ${dailyColumnList()} FROM (${groupedDailyMetrics()}) g`.execute(trx);
    await refreshTotals(trx, null);
    return Number(result.numAffectedRows ?? 0);
  });
}

/**
 * Brings `agent_analytics` up to date: recomputes the dirty agent-days (or,
 * with `full`, every agent-day) from raw rows, in transactions that hold an
 * advisory lock, so when several instances run it at once one does the work
 * and the others return `skipped`. Idempotent; reads are exact before, during
 * and after it. Call it on a timer ({@link startRollupTimer}), from the CLI,
 * and with `full` after loading data with triggers off.
 *
 * @example
 * await seedDatabase(db, { scale: 'small' });
 * await runRollup(db, { full: true });
 * const { days } = await runRollup(db); // later: only what changed
 */
export async function runRollup(db: Kysely<Database>, options: RollupOptions = {}): Promise<RollupResult> {
  const opts = resolveOptions(options);
  const started = performance.now();
  const finish = (status: RollupResult['status'], days: number, batches: number, more: boolean) => ({
    status,
    mode: opts.full ? ('full' as const) : ('incremental' as const),
    days,
    batches,
    more,
    durationMs: performance.now() - started,
  });

  if (opts.full) {
    const written = await rollupFull(db);
    if (written === null) return finish('skipped', 0, 0, false);
    // VACUUM sets the visibility map that index-only scans on the covering indexes need.
    if (opts.vacuum)
      await sql`VACUUM (ANALYZE) agent_analytics, agent_totals, tenant_daily, analytics_dirty`.execute(db);
    return finish('done', written, 1, false);
  }

  let days = 0;
  for (let batch = 0; batch < opts.maxBatches; batch++) {
    const done = await rollupBatch(db, opts.batchSize);
    if (done === null) return finish(batch === 0 ? 'skipped' : 'done', days, batch, true);
    days += done;
    if (done < opts.batchSize) return finish('done', days, batch + 1, false);
  }
  return finish('done', days, opts.maxBatches, true);
}

/** Options of {@link startRollupTimer}. */
export interface RollupTimerOptions extends Omit<RollupOptions, 'full'> {
  /** Milliseconds between the end of one run and the start of the next. Default: 30,000. */
  intervalMs?: number;
  /** Called after each run. Default: none. */
  onResult?: (result: RollupResult) => void;
  /**
   * Called when a run throws (or `onResult` does); the timer keeps going. Default: a process warning
   * (`process.emitWarning`), never a crash of the process.
   */
  onError?: (error: unknown) => void;
}

/** What a failed run becomes without an `onError`, or when `onError` itself throws. */
function warn(error: unknown): void {
  process.emitWarning(error instanceof Error ? error : new Error(String(error)));
}

/** A running {@link startRollupTimer}. */
export interface RollupTimer {
  /** Stops the timer and waits for a run in progress to finish. */
  stop(): Promise<void>;
}

/**
 * Runs the incremental rollup every `intervalMs` until stopped. Runs never
 * overlap within a process; across processes the advisory lock decides.
 *
 * @example
 * const timer = startRollupTimer(db, { intervalMs: 10_000, onError: (e) => log.warn(e) });
 * process.on('SIGTERM', () => timer.stop());
 */
export function startRollupTimer(db: Kysely<Database>, options: RollupTimerOptions = {}): RollupTimer {
  const { intervalMs = 30_000, onResult, onError = warn, ...rollupOptions } = options;
  timerMs('intervalMs', intervalMs, { positive: true });
  resolveOptions(rollupOptions); // a bad option fails here, not in every run
  let stopped = false;
  let running: Promise<void> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  const tick = () => {
    // Never rejects: a failed run (a restarting database, a deadlock) must not crash the process.
    running = runRollup(db, rollupOptions)
      .then((result) => onResult?.(result))
      .catch(onError)
      .catch(warn)
      .finally(() => {
        if (!stopped) {
          timer = setTimeout(tick, intervalMs);
          timer.unref?.();
        }
      });
  };
  timer = setTimeout(tick, intervalMs);
  timer.unref?.();
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
