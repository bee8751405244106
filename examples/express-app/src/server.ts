import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type FakeElevenLabsOptions, startFakeElevenLabs } from '@perfkit/external/fake';
import { createDatabase } from '@perfkit/queries';
import { sql } from 'kysely';
import { type Logger, pino } from 'pino';
import { createApp } from './app.js';
import type { AppConfig } from './config.js';
import type { ElevenLabsSettings } from './modes/data-source.js';
import { MODES } from './modes/modes.js';

/** Overrides for embedding the app (tests, demo, benchmarks). */
export interface StartOptions {
  /** A fixed "now" for the APIs. Default: `config.now`, else the wall clock. */
  now?: Date;
  /** Logger. Default: pino at `config.logLevel`, to stdout. */
  logger?: Logger;
  /** Options of the in-process fake ElevenLabs, when `config.elevenLabsBaseUrl` is unset. Default: the fake's defaults. */
  fakeElevenLabs?: FakeElevenLabsOptions;
  /** PostgreSQL pool size. Default: 10. */
  poolSize?: number;
}

/** A running app. */
export interface RunningApp {
  /** e.g. `http://127.0.0.1:43125`. */
  url: string;
  port: number;
  /** Where the app fetches ElevenLabs configs (the in-process fake unless configured). */
  elevenLabs: ElevenLabsSettings;
  /** Stops the server, the pool and the in-process fake. */
  close(): Promise<void>;
}

/**
 * Starts the app: checks the database answers, starts the fake ElevenLabs
 * in-process when no base URL is configured, listens on `config.port`.
 *
 * @example
 * const app = await startServer(loadConfig(process.env));
 * console.log(app.url);
 */
export async function startServer(config: AppConfig, options: StartOptions = {}): Promise<RunningApp> {
  const logger = options.logger ?? pino({ level: config.logLevel });
  const database = createDatabase({
    connectionString: config.databaseUrl,
    max: options.poolSize ?? 10,
    applicationName: 'perfkit-express-app',
  });
  try {
    await sql`SELECT 1`.execute(database.db);
  } catch (error) {
    await database.destroy();
    throw new Error(
      `Cannot reach PostgreSQL at DATABASE_URL (${redact(config.databaseUrl)}): ${String(error)}`,
      {
        cause: error,
      },
    );
  }

  const fake =
    config.elevenLabsBaseUrl === undefined
      ? await startFakeElevenLabs(options.fakeElevenLabs ?? {})
      : undefined;
  const elevenLabs: ElevenLabsSettings = fake
    ? { baseUrl: fake.url, apiKey: fake.apiKey }
    : { baseUrl: config.elevenLabsBaseUrl ?? '', apiKey: config.elevenLabsApiKey ?? '' };

  const fixedNow = options.now ?? config.now;
  const app = createApp({
    deps: { db: database.db, elevenLabs, logger },
    mode: config.mode,
    source: MODES[config.mode],
    now: fixedNow ? () => fixedNow : () => new Date(),
  });
  const server: Server = app.listen(config.port, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    elevenLabs,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await database.destroy();
      await fake?.close();
    },
  };
}

function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '<unparseable URL>';
  }
}
