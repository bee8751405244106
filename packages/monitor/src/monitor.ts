import { EventEmitter } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Registry } from 'prom-client';
import { AlertEvaluator } from './alerts/alert-evaluator.js';
import type { AlertEvent } from './alerts/alert-sink.js';
import { ArrivingResponses } from './http/arriving-responses.js';
import { expressLookup } from './http/express-route.js';
import { RequestRecorder } from './http/request-recorder.js';
import { ResponseEnds } from './http/response-ends.js';
import { ResponseObserver } from './http/response-watch.js';
import { type RouteLookup, templateLookup } from './http/route-lookup.js';
import { SeriesTable, UNMATCHED_ROUTE } from './http/route-series.js';
import { WindowStatsReader } from './http/window-stats.js';
import { createMonitorMetrics, type MonitorMetrics } from './metrics/monitor-metrics.js';
import { type MonitorOptions, type ResolvedMonitorOptions, resolveMonitorOptions } from './options.js';
import type { ExplainPool } from './queries/explain-runner.js';
import type { KyselyLogEvent } from './queries/kysely-log.js';
import {
  createSiblingExplainPool,
  type InstrumentablePool,
  timeClientQueries,
} from './queries/pool-instrumentation.js';
import { QueryRecorder, type SlowQuery } from './queries/query-recorder.js';
import { type MonitorSnapshot, routeStats, SNAPSHOT_QUERY_LIMIT } from './snapshot.js';
import { isPromiseLike, type RequestTimer, UNTIMED } from './timing/request-timings.js';
import { ServerTimingWriter } from './timing/server-timing-writer.js';
import { type CacheEventSource, CacheLookupCounts, CacheWatcher } from './watchers/cache-watcher.js';
import { type ElevenLabsEventSource, ElevenLabsWatcher } from './watchers/elevenlabs-watcher.js';

/**
 * Events a monitor emits, beyond its sinks and log.
 *
 * @example
 * ```ts
 * monitor.on('alert', (event) => console.log(event.state, event.rule));
 * ```
 */
export interface MonitorEvents {
  'slow-query': SlowQuery;
  alert: AlertEvent;
}

/**
 * A `node:http` request handler.
 *
 * @example
 * ```ts
 * const handler: HttpHandler = monitor.metricsHandler();
 * http.createServer(handler);
 * ```
 */
export type HttpHandler = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * Express-compatible middleware, typed on `node:http` so that Express stays optional.
 *
 * @example
 * ```ts
 * const timing: Middleware = monitor.middleware();
 * app.use(timing);
 * ```
 */
export type Middleware = (req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void) => void;

/**
 * Latency, metrics, alerts and slow-query plans for one process. Create it
 * with {@link createMonitor}; every monitor has its own Prometheus registry.
 *
 * @example
 * ```ts
 * const monitor = createMonitor({ serverTiming: true });
 * app.use(monitor.middleware());
 * app.get('/metrics', monitor.metricsHandler());
 * ```
 */
export class Monitor {
  /** The monitor's own prom-client registry; register extra metrics here. */
  readonly registry: Registry;
  private readonly options: ResolvedMonitorOptions;
  private readonly table: SeriesTable;
  private readonly metrics: MonitorMetrics;
  private readonly pools = new Map<string, InstrumentablePool>();
  private readonly ownedPools: { end(): Promise<void> }[] = [];
  private readonly queries: QueryRecorder;
  private readonly cache: CacheWatcher;
  private readonly external: ElevenLabsWatcher;
  private readonly alerts: AlertEvaluator;
  private readonly events = new EventEmitter();
  private readonly alertTimer: NodeJS.Timeout | undefined;
  /** The `Server-Timing` writer, when that option is on. */
  private readonly serverTiming: ServerTimingWriter | undefined;
  private readonly ends: ResponseEnds;
  private readonly arriving: ArrivingResponses;
  private readonly responses: ResponseObserver;

  constructor(options: MonitorOptions = {}) {
    const o = resolveMonitorOptions(options);
    this.options = o;
    this.table = new SeriesTable(
      { windowMs: o.windowMs, windowSlices: o.windowSlices, buckets: o.buckets },
      o.maxSeries,
    );
    const cacheLookups = new CacheLookupCounts();
    this.metrics = createMonitorMetrics(o, this.table, this.pools, cacheLookups);
    this.registry = this.metrics.registry;
    this.queries = new QueryRecorder(o.slowQueries, this.metrics.dbOperation, o.logger, o.clock, (query) =>
      this.emit('slow-query', query),
    );
    this.cache = new CacheWatcher(this.metrics, cacheLookups);
    this.external = new ElevenLabsWatcher(this.metrics, o);
    this.alerts = new AlertEvaluator(o.alerts.rules, o.alerts.sinks, o.logger, o.windowMs);
    this.ends = new ResponseEnds(o.clock);
    const serverTiming = o.serverTiming ? new ServerTimingWriter() : undefined;
    this.serverTiming = serverTiming;
    this.arriving = new ArrivingResponses((res) => {
      this.ends.listen(res);
      serverTiming?.prepare(res);
    });
    this.responses = new ResponseObserver((error) =>
      o.logger.error({ err: error }, 'monitor failed to record a request'),
    );
    if (o.alerts.rules.length > 0 && o.alerts.intervalMs > 0) {
      // evaluateAlerts cannot reject: sinks and listeners are each guarded.
      this.alertTimer = setInterval(() => void this.evaluateAlerts(), o.alerts.intervalMs).unref();
    }
  }

  /**
   * Express middleware: times every request by route template, method and
   * status class, writes the access log, and adds `Server-Timing` when on.
   * Mount it first, so that it times everything after it.
   *
   * @example
   * ```ts
   * app.use(monitor.middleware());
   * ```
   */
  middleware(): Middleware {
    const recorder = this.recorder(expressLookup(this.table));
    return (req, res, next) => recorder.start(req, res, next);
  }

  /**
   * Wraps a plain `node:http` handler. Without a router there is no template,
   * so `route` names it; requests it returns `undefined` for share `_unmatched`.
   *
   * @example
   * ```ts
   * http.createServer(monitor.wrapHandler(handler, { route: (req) => (req.url === '/health' ? '/health' : undefined) }));
   * ```
   */
  wrapHandler(
    handler: HttpHandler,
    options: { route?: (req: IncomingMessage) => string | undefined } = {},
  ): HttpHandler {
    const routeOf = options.route;
    const recorder = this.recorder(
      templateLookup(
        this.table,
        routeOf === undefined ? () => UNMATCHED_ROUTE : (req) => routeOf(req) ?? UNMATCHED_ROUTE,
      ),
    );
    return (req, res) => recorder.start(req, res, () => handler(req, res));
  }

  /**
   * A handler for `GET /metrics` in the Prometheus text format (Express or `node:http`).
   *
   * @example
   * ```ts
   * app.get('/metrics', monitor.metricsHandler());
   * ```
   */
  metricsHandler(): HttpHandler {
    return (_req, res) => {
      this.registry.metrics().then(
        (body) => {
          res.setHeader('Content-Type', this.registry.contentType);
          res.end(body);
        },
        (error: unknown) => {
          this.options.logger.error({ err: error }, 'metrics collection failed');
          res.statusCode = 500;
          res.end();
        },
      );
    };
  }

  /**
   * The `Server-Timing` timer of the response `res`: its `time(name, fn)`
   * runs `fn` (sync or async) and adds its duration under `name`. A response
   * the monitor does not time (`serverTiming` off, not passed through its
   * middleware, ended already) gets a timer that only runs `fn`. Handlers
   * pass it down explicitly rather than through an `AsyncLocalStorage`,
   * which on node 20 runs a hook for every promise in the process.
   *
   * @example
   * ```ts
   * const rows = await monitor.timer(res).time('db', () => db.selectFrom('agents').selectAll().execute());
   * ```
   */
  timer(res: ServerResponse): RequestTimer {
    return this.serverTiming?.timingsOf(res) ?? UNTIMED;
  }

  /**
   * Times every query of a `pg` pool by shape and logs slow ones with their
   * plan, and exports the pool's connection counts. `EXPLAIN` runs on
   * `explainPool`, by default a separate one-connection pool with this
   * pool's settings. Call it before the pool opens connections.
   *
   * @example
   * ```ts
   * const pool = new pg.Pool({ connectionString });
   * monitor.instrumentPool(pool, { name: 'main' });
   * ```
   */
  instrumentPool(pool: InstrumentablePool, options: { name?: string; explainPool?: ExplainPool } = {}): void {
    this.pools.set(options.name ?? 'default', pool);
    const explainPool = options.explainPool ?? this.options.slowQueries.explainPool ?? this.siblingPool(pool);
    pool.on('connect', (client) => timeClientQueries(client, this.queries, this.options.clock, explainPool));
  }

  /**
   * Kysely's `log` option: times every query by shape and logs slow ones
   * with their plan (on `slowQueries.explainPool`). Use it or
   * `instrumentPool` for a given pool, not both, or queries count twice.
   *
   * @example
   * ```ts
   * const db = new Kysely<DB>({ dialect, log: monitor.kyselyLog });
   * ```
   */
  readonly kyselyLog = (event: KyselyLogEvent): void => {
    this.queries.record(
      event.query.sql,
      event.query.parameters,
      event.queryDurationMillis,
      event.level === 'error',
    );
  };

  /**
   * Subscribes to a `@perfkit/cache` cache: lookups, refreshes, evictions,
   * L2 errors and bus states per namespace. Returns the unsubscribe function.
   *
   * @example
   * ```ts
   * const stop = monitor.watchCache(cache);
   * ```
   */
  watchCache(cache: CacheEventSource): () => void {
    return this.cache.watch(cache);
  }

  /**
   * Subscribes to a `@perfkit/external` ElevenLabs client: attempt latency,
   * retries and failures per endpoint, breaker state and concurrency limit,
   * labelled `server_address=server` (default `'elevenlabs'`). Returns the
   * unsubscribe function.
   *
   * @example
   * ```ts
   * const stop = monitor.watchElevenLabs(client);
   * ```
   */
  watchElevenLabs(client: ElevenLabsEventSource, options: { server?: string } = {}): () => void {
    return this.external.watch(client, options.server ?? 'elevenlabs');
  }

  /**
   * Evaluates the alert rules now, delivers state changes to the sinks and
   * `'alert'` listeners, and returns them. The monitor also calls it every
   * `alerts.interval`.
   *
   * @example
   * ```ts
   * const changes = await monitor.evaluateAlerts();
   * ```
   */
  async evaluateAlerts(): Promise<AlertEvent[]> {
    const events = await this.alerts.evaluate(this.table.all(), this.options.clock.now());
    for (const event of events) this.emit('alert', event);
    return events;
  }

  /**
   * Per route p50 / p95 / p99 / max, counts and errors; slowest query
   * shapes; third-party and cache figures; firing alerts.
   *
   * @example
   * ```ts
   * app.get('/debug/perf', requireAdmin, (_req, res) => res.json(monitor.snapshot()));
   * ```
   */
  snapshot(): MonitorSnapshot {
    const now = this.options.clock.now();
    const reader = new WindowStatsReader();
    return {
      generatedAt: new Date().toISOString(),
      windowMs: this.options.windowMs,
      routes: this.table
        .all()
        .map((series) => routeStats(series, reader, now))
        .sort((a, b) => b.window.p99 - a.window.p99),
      queries: this.queries.stats().slice(0, SNAPSHOT_QUERY_LIMIT),
      external: this.external.stats(),
      cache: this.cache.stats(),
      alerts: this.alerts.active(),
    };
  }

  /**
   * Subscribes to a monitor event. A listener that throws (or returns a
   * rejected promise) is logged as `monitor listener failed`; the others
   * still run.
   *
   * @example
   * ```ts
   * monitor.on('slow-query', (query) => console.log(query.shape, query.plan));
   * ```
   */
  on<E extends keyof MonitorEvents>(event: E, listener: (payload: MonitorEvents[E]) => void): this {
    this.events.on(event, listener);
    return this;
  }

  /** Unsubscribes a listener added with {@link Monitor.on}. */
  off<E extends keyof MonitorEvents>(event: E, listener: (payload: MonitorEvents[E]) => void): this {
    this.events.off(event, listener);
    return this;
  }

  /**
   * Removes everything the monitor installed in the process (its
   * subscription to node's HTTP diagnostics channel, its listeners on open
   * connections, its `Server-Timing` writer), stops the alert timer, waits
   * for slow-query reports and alert deliveries in flight (a webhook's
   * retries included, at most `alerts.closeWait`) and closes the `EXPLAIN`
   * pools the
   * monitor created. Its middleware and wrapped handlers then pass requests
   * through unrecorded.
   *
   * @example
   * ```ts
   * await monitor.close();
   * ```
   */
  async close(): Promise<void> {
    this.responses.close();
    this.arriving.close();
    this.serverTiming?.close();
    clearInterval(this.alertTimer);
    await Promise.all([this.queries.settled(), this.alerts.settled(this.options.alerts.closeWaitMs)]);
    await Promise.all(this.ownedPools.splice(0).map((pool) => pool.end()));
  }

  // Listeners run inside the monitor's timer and query callbacks, where a
  // throw would become an uncaught exception or an unhandled rejection.
  private emit<E extends keyof MonitorEvents>(event: E, payload: MonitorEvents[E]): void {
    const failed = (error: unknown) =>
      this.options.logger.error({ err: error, event }, 'monitor listener failed');
    for (const listener of this.events.listeners(event) as Array<(payload: MonitorEvents[E]) => unknown>) {
      try {
        const result = listener(payload);
        if (isPromiseLike(result)) result.then(undefined, failed);
      } catch (error) {
        failed(error);
      }
    }
  }

  private recorder(routes: RouteLookup): RequestRecorder {
    const o = this.options;
    return new RequestRecorder(
      {
        table: this.table,
        clock: o.clock,
        serverTiming: this.serverTiming,
        accessLog: o.accessLog ? o.logger : undefined,
        requestIdHeader: o.requestIdHeader,
        arriving: this.arriving,
        ends: this.ends,
        responses: this.responses,
      },
      routes,
    );
  }

  private siblingPool(pool: InstrumentablePool): ExplainPool | undefined {
    if (!this.options.slowQueries.explain) return undefined;
    // An idle connection the server closes (pg_terminate_backend, a restart)
    // is an 'error' event; unheard, it would be an uncaught exception.
    const sibling = createSiblingExplainPool(pool, (error) =>
      this.options.logger.warn({ err: error }, 'EXPLAIN pool connection lost'),
    );
    this.ownedPools.push(sibling);
    return sibling;
  }
}

/**
 * Creates a monitor. Options are validated up front; an invalid one throws
 * {@link InvalidMonitorOptionsError}. Creating several is safe: each has its
 * own registry.
 *
 * @example
 * ```ts
 * const monitor = createMonitor({ serverTiming: true, alerts: { rules, sinks: [createLogSink()] } });
 * ```
 */
export function createMonitor(options?: MonitorOptions): Monitor {
  return new Monitor(options);
}
