import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type FakeElevenLabsOptions, startFakeElevenLabs } from '@perfkit/external/fake';
import type { Monitor } from '@perfkit/monitor';
import { within } from '@perfkit/primitives';
import { createDatabase, type DatabaseHandle } from '@perfkit/queries';
import { sql } from 'kysely';
import { type Logger, pino } from 'pino';
import { createApp } from './app.js';
import type { AppConfig } from './config.js';
import { answerClientErrors, requiringHost } from './http/client-errors.js';
import { GracefulDrain } from './http/graceful-drain.js';
import { createLoadShedder } from './http/load-shedding.js';
import type { AppMode, ElevenLabsSettings } from './modes/app-mode.js';
import { modeFactory } from './modes/modes.js';
import type { OptimizedModeOptions } from './modes/optimized-mode.js';
import { createAppMonitor } from './observability/app-monitor.js';
import { redactUrl } from './redact.js';

/** Overrides for embedding the app (tests, demo, benchmarks). */
export interface StartOptions {
  /** "Now" for the APIs: a fixed instant, or a function (a test clock). Default: `config.now`, else the wall clock. */
  now?: Date | (() => Date);
  /** Logger. Default: pino at `config.logLevel`, to stdout. */
  logger?: Logger;
  /** Options of the in-process fake ElevenLabs, when `config.elevenLabsBaseUrl` is unset. Default: the fake's defaults. */
  fakeElevenLabs?: FakeElevenLabsOptions;
  /** Optimized mode overrides: a cache clock, the Redis key prefix. */
  optimized?: OptimizedModeOptions;
  /** How often the monitor evaluates alerts, ms; 0 only on demand. Default: the monitor's (15 s). */
  alertIntervalMs?: number;
}

/** A running app. */
export interface RunningApp {
  /** e.g. `http://127.0.0.1:43125`. */
  url: string;
  port: number;
  /** Where the app fetches ElevenLabs configs (the in-process fake unless configured). */
  elevenLabs: ElevenLabsSettings;
  /** The app's monitor (snapshot, alerts), for tests and benchmarks. */
  monitor: Monitor;
  /** The running mode, for tests and benchmarks. */
  mode: AppMode;
  /**
   * Stops gracefully: stops accepting, lets requests in flight finish for up
   * to `config.shutdownGraceMs`, then closes the mode, the monitor, the pools
   * and the in-process fake, in that order.
   */
  close(): Promise<void>;
}

/** Opens a pool instrumented by the monitor before its first connection, and checks it answers. */
async function openDatabase(
  url: string,
  name: string,
  config: AppConfig,
  monitor: Monitor,
): Promise<DatabaseHandle> {
  const database = createDatabase({
    connectionString: url,
    max: config.poolSize,
    acquireTimeoutMs: config.poolAcquireTimeoutMs,
    queryTimeoutMs: config.queryTimeoutMs,
    statementTimeoutMs: config.statementTimeoutMs,
    idleInTransactionTimeoutMs: config.idleInTransactionTimeoutMs,
    preparedStatements: config.preparedStatements,
    applicationName: `perfkit-express-app-${name}`,
  });
  monitor.instrumentPool(database.pool, { name });
  try {
    await sql`SELECT 1`.execute(database.db);
    return database;
  } catch (error) {
    await database.destroy();
    throw new Error(`Cannot reach PostgreSQL (${name}) at ${redactUrl(url)}: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

/**
 * Starts the app: opens the pools (the monitor times them from the first
 * query), starts the fake ElevenLabs in-process when no base URL is
 * configured, builds the mode and listens on `config.port`.
 *
 * @example
 * const app = await startServer(loadConfig(process.env));
 * console.log(app.url);
 */
export async function startServer(config: AppConfig, options: StartOptions = {}): Promise<RunningApp> {
  const logger = options.logger ?? pino({ level: config.logLevel });
  const monitor = createAppMonitor(config, logger, {
    ...(options.alertIntervalMs === undefined ? {} : { alertIntervalMs: options.alertIntervalMs }),
  });
  const closers: (() => Promise<unknown>)[] = [() => monitor.close()];
  const closeAll = async () => {
    for (const close of closers.reverse()) await close().catch(() => undefined);
  };
  try {
    const primary = await openDatabase(config.databaseUrl, 'primary', config, monitor);
    closers.push(() => primary.destroy());
    const replica = config.databaseReadUrl
      ? await openDatabase(config.databaseReadUrl, 'replica', config, monitor)
      : undefined;
    if (replica) closers.push(() => replica.destroy());

    const fake =
      config.elevenLabsBaseUrl === undefined
        ? await startFakeElevenLabs(options.fakeElevenLabs ?? {})
        : undefined;
    if (fake) closers.push(() => fake.close());
    const elevenLabs: ElevenLabsSettings = fake
      ? { baseUrl: fake.url, apiKey: fake.apiKey }
      : { baseUrl: config.elevenLabsBaseUrl ?? '', apiKey: config.elevenLabsApiKey ?? '' };

    const fixedNow = options.now ?? config.now;
    const now = typeof fixedNow === 'function' ? fixedNow : fixedNow ? () => fixedNow : () => new Date();
    const mode = await modeFactory(
      config.mode,
      options.optimized,
    )({
      config,
      db: primary.db,
      pool: primary.pool,
      ...(replica ? { replica: { db: replica.db, pool: replica.pool } } : {}),
      elevenLabs,
      logger,
      monitor,
      now,
    });
    closers.push(() => mode.close());
    const shedder = createLoadShedder({ maxEventLoopDelayMs: config.shedEventLoopDelayMs });
    closers.push(async () => shedder.close());

    const app = createApp({
      modeName: config.mode,
      mode,
      monitor,
      logger,
      shedder,
      db: primary.db,
      metricsToken: config.metricsToken,
      now,
    });
    const drain = new GracefulDrain();
    const server = createServer(
      {
        // Node's defaults let a client hold a connection 5 min by sending its body slowly; it checks
        // the bound every `connectionsCheckingInterval`, so the answer (408) comes within a quarter more.
        requestTimeout: config.requestTimeoutMs,
        headersTimeout: Math.min(config.requestTimeoutMs, 60_000),
        connectionsCheckingInterval: Math.ceil(config.requestTimeoutMs / 4),
        requireHostHeader: false,
      },
      drain.tracking(requiringHost(app)),
    ).listen(config.port, '127.0.0.1');
    answerClientErrors(server);
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    return {
      url: `http://127.0.0.1:${port}`,
      port,
      elevenLabs,
      monitor,
      mode,
      async close() {
        const cut = await drain.drain(server, config.shutdownGraceMs);
        // Their clients see the connection close without an answer; a write among them has either
        // committed or not, as after any lost connection.
        if (cut > 0) {
          logger.warn(
            { requests: cut, graceMs: config.shutdownGraceMs },
            'shutdown cut requests still running',
          );
        }
        // Bounded too: pg's pool.end() waits for a client stuck on a hung connection, and a background
        // ElevenLabs fetch may run for a minute; the process exits with them still open.
        const closed = await within(
          closeAll().then(() => true),
          config.shutdownGraceMs,
          false,
        );
        if (!closed) {
          logger.warn(
            { graceMs: config.shutdownGraceMs },
            'shutdown left connections or fetches still closing',
          );
        }
      },
    };
  } catch (error) {
    await closeAll();
    throw error;
  }
}
