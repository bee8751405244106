import type { NowClock } from '@perfkit/primitives';
import type { Logger } from 'pino';
import type { Histogram } from 'prom-client';
import type { ExplainFailedError } from '../errors.js';
import type { ResolvedMonitorOptions } from '../options.js';
import { type ExplainPool, explainQuery, isExplainable } from './explain-runner.js';
import { queryOperation, queryShape } from './query-shape.js';

/**
 * A query slower than the threshold, as logged and emitted as `'slow-query'`.
 * Parameter values are never included; `plan` has its literals redacted.
 *
 * @example
 * ```ts
 * monitor.on('slow-query', (q: SlowQuery) => console.log(q.shape, q.durationMs, q.plan));
 * ```
 */
export interface SlowQuery {
  shape: string;
  operation: string;
  durationMs: number;
  thresholdMs: number;
  paramCount: number;
  /** The `EXPLAIN (FORMAT JSON)` output, when it ran. */
  plan?: unknown;
  /** Whether `EXPLAIN` ran, and if not, why. */
  explain: 'explained' | 'failed' | 'rate-limited' | 'not-explainable' | 'disabled' | 'no-pool';
  explainError?: ExplainFailedError;
}

/**
 * Statistics of one query shape since start-up.
 *
 * @example
 * ```ts
 * const [slowest] = monitor.snapshot().queries;
 * ```
 */
export interface QueryShapeStats {
  shape: string;
  operation: string;
  count: number;
  errors: number;
  totalMs: number;
  maxMs: number;
  slowCount: number;
}

interface ShapeState extends QueryShapeStats {
  lastExplainAt: number;
}

/**
 * Shape of the statistics bucket that absorbs shapes past `maxShapes`.
 *
 * @example
 * ```ts
 * monitor.snapshot().queries.find((q) => q.shape === OVERFLOW_SHAPE);
 * ```
 */
export const OVERFLOW_SHAPE = '_overflow';
// Query texts repeat (ORMs and query builders emit the same SQL), so shapes
// are memoised by text; the cap bounds the memo for ad-hoc SQL.
const MAX_MEMOISED_TEXTS = 2000;

/**
 * Times queries by shape into `db_client_operation_duration_seconds` and the
 * shape table, and logs slow ones with their plan. `EXPLAIN` runs after the
 * query has returned, on its own connection: the caller never waits for it.
 */
export class QueryRecorder {
  private readonly shapes = new Map<string, ShapeState>();
  private readonly shapeOfText = new Map<string, string>();
  private readonly pending = new Set<Promise<void>>();

  constructor(
    private readonly options: ResolvedMonitorOptions['slowQueries'],
    private readonly metric: Histogram<'db_system_name' | 'db_operation_name' | 'outcome'>,
    private readonly logger: Logger,
    private readonly clock: NowClock,
    private readonly onSlowQuery: (query: SlowQuery) => void,
  ) {}

  /** Records one query; `explainPool` overrides the configured one. */
  record(
    sql: string,
    params: readonly unknown[] | undefined,
    durationMs: number,
    failed: boolean,
    explainPool = this.options.explainPool,
  ): void {
    const state = this.stateOf(sql);
    state.count++;
    state.totalMs += durationMs;
    if (durationMs > state.maxMs) state.maxMs = durationMs;
    if (failed) state.errors++;
    this.metric.observe(
      {
        db_system_name: 'postgresql',
        db_operation_name: state.operation,
        outcome: failed ? 'error' : 'success',
      },
      durationMs / 1000,
    );
    if (durationMs < this.options.thresholdMs) return;
    state.slowCount++;
    const task = this.reportSlow(state, sql, params ?? [], durationMs, explainPool);
    this.pending.add(task);
    void task.finally(() => this.pending.delete(task));
  }

  /** Every shape, slowest (by max) first. */
  stats(): QueryShapeStats[] {
    return [...this.shapes.values()]
      .sort((a, b) => b.maxMs - a.maxMs)
      .map(({ lastExplainAt: _, ...stats }) => stats);
  }

  /** Resolves once every slow-query report in flight is logged. */
  async settled(): Promise<void> {
    await Promise.all(this.pending);
  }

  private stateOf(sql: string): ShapeState {
    let shape = this.shapeOfText.get(sql);
    if (shape === undefined) {
      shape = queryShape(sql);
      if (this.shapeOfText.size < MAX_MEMOISED_TEXTS) this.shapeOfText.set(sql, shape);
    }
    let state = this.shapes.get(shape);
    if (state === undefined && this.shapes.size >= this.options.maxShapes) {
      shape = OVERFLOW_SHAPE;
      state = this.shapes.get(shape);
    }
    if (state === undefined) {
      state = {
        shape,
        operation: queryOperation(sql),
        count: 0,
        errors: 0,
        totalMs: 0,
        maxMs: 0,
        slowCount: 0,
        lastExplainAt: Number.NEGATIVE_INFINITY,
      };
      this.shapes.set(shape, state);
    }
    return state;
  }

  private async reportSlow(
    state: ShapeState,
    sql: string,
    params: readonly unknown[],
    durationMs: number,
    explainPool: ExplainPool | undefined,
  ): Promise<void> {
    const query: SlowQuery = {
      shape: state.shape,
      operation: state.operation,
      durationMs,
      thresholdMs: this.options.thresholdMs,
      paramCount: params.length,
      explain: this.explainDecision(state, sql, explainPool),
    };
    if (query.explain === 'explained' && explainPool !== undefined) {
      state.lastExplainAt = this.clock.now();
      try {
        query.plan = await explainQuery(explainPool, sql, params, this.options.explainTimeoutMs);
      } catch (error) {
        query.explain = 'failed';
        query.explainError = error as ExplainFailedError;
      }
    }
    this.logger.warn({ slowQuery: { ...query, explainError: query.explainError?.message } }, 'slow query');
    this.onSlowQuery(query);
  }

  private explainDecision(
    state: ShapeState,
    sql: string,
    pool: ExplainPool | undefined,
  ): SlowQuery['explain'] {
    if (!this.options.explain) return 'disabled';
    if (pool === undefined) return 'no-pool';
    if (!isExplainable(sql)) return 'not-explainable';
    if (this.clock.now() - state.lastExplainAt < this.options.explainIntervalMs) return 'rate-limited';
    return 'explained';
  }
}
