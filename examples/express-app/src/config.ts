import { DEFAULT_DATABASE_URL } from '@perfkit/queries';
import { z } from 'zod';
import { ConfigError } from './errors.js';
import { redactUrl } from './redact.js';

/** The app's modes, as `MODE` names them. */
export const MODE_NAMES = ['naive', 'optimized'] as const;
/** A `MODE` value. */
export type Mode = (typeof MODE_NAMES)[number];

/** The app's configuration, read from the environment once at start-up. */
export interface AppConfig {
  /** `DATABASE_URL`. Default: {@link DEFAULT_DATABASE_URL}. */
  databaseUrl: string;
  /** `DATABASE_READ_URL`: a streaming replica that serves the dashboard reads. Default: none (the primary). */
  databaseReadUrl: string | undefined;
  /** `DB_POOL_SIZE`: connections per pool. Default: 10. */
  poolSize: number;
  /** `DB_ACQUIRE_TIMEOUT_MS`: how long a request waits for a pooled connection before a 503. Default: 5,000. */
  poolAcquireTimeoutMs: number;
  /**
   * `DB_QUERY_TIMEOUT_MS`: how long a statement may go unanswered before its request is a 503 and its
   * connection is dropped (a hung connection); above the naive mode's slowest statement. Default: 60,000.
   */
  queryTimeoutMs: number;
  /**
   * `DB_STATEMENT_TIMEOUT_MS`: the server cancels a statement that runs this long (a lock wait included),
   * its request a 503, its connection kept; below `DB_QUERY_TIMEOUT_MS`, so a slow statement is cancelled
   * rather than left running in the server after the app gave up on it. Default: 90 % of `DB_QUERY_TIMEOUT_MS`.
   */
  statementTimeoutMs: number;
  /**
   * `DB_IDLE_IN_TRANSACTION_TIMEOUT_MS`: the server ends a session whose transaction waits this long for
   * the app (an instance that hung mid-write), so its row locks stop blocking the other instances'
   * writes. Default: 10,000.
   */
  idleInTransactionTimeoutMs: number;
  /**
   * `DB_PREPARED_STATEMENTS`: run the loaders' statements as named prepared statements (`on`). `off`
   * behind a pooler or a server that shares one session between connections (PgBouncer in
   * transaction mode without `max_prepared_statements`, the embedded PGlite). Default: `on`.
   */
  preparedStatements: boolean;
  /** `REDIS_URL`: L2 cache, invalidation bus and leases (optimized mode). Default: none (memory-only cache). */
  redisUrl: string | undefined;
  /** `PORT`. Default: 3000 (0 picks a free port). */
  port: number;
  /** `MODE`: `naive` or `optimized`. Default: `naive`. */
  mode: Mode;
  /** `CACHE`: `off` runs the optimized mode without its caches (the "cold" measurement). Default: `on`. */
  cache: 'on' | 'off';
  /** `CACHE_TTL_MS`, `CACHE_SWR_MS`, `CACHE_STALE_IF_ERROR_MS`: override every read API's cache windows. Default: per API. */
  cacheWindows: { ttlMs?: number; swrMs?: number; staleIfErrorMs?: number };
  /** `AUTH_CACHE_TTL_MS`: how long a key→user lookup is reused, so the bound on a revoked key working. Default: 30,000. */
  authCacheTtlMs: number;
  /** `ELEVENLABS_BASE_URL`; unset starts the fake ElevenLabs in-process. */
  elevenLabsBaseUrl: string | undefined;
  /** `ELEVENLABS_API_KEY`; required with `ELEVENLABS_BASE_URL`, else the fake's key. */
  elevenLabsApiKey: string | undefined;
  /** `ELEVENLABS_BUDGET_MS`: how long the agents APIs wait for ElevenLabs configs. Default: 250. */
  elevenLabsBudgetMs: number;
  /** `ROLLUP_INTERVAL_MS`: the incremental rollup's period (optimized mode). Default: 30,000. */
  rollupIntervalMs: number;
  /** `SHED_EVENT_LOOP_DELAY_MS`: above this event-loop delay `/api` answers 503; 0 disables. Default: 500. */
  shedEventLoopDelayMs: number;
  /** `METRICS_TOKEN`: `GET /metrics` requires `Authorization: Bearer <token>`; unset: no `/metrics`. */
  metricsToken: string | undefined;
  /** `MONITOR_WINDOW_MS`: the window over which the alert rules and `/metrics/snapshot` read latencies and errors. Default: 60,000. */
  monitorWindowMs: number;
  /** `ALERT_WEBHOOK_URL`: alerts are also POSTed here (they always go to the log). Default: none. */
  alertWebhookUrl: string | undefined;
  /** `REQUEST_TIMEOUT_MS`: how long a client may take to send a whole request, headers and body, before a 408. Default: 30,000. */
  requestTimeoutMs: number;
  /** `SHUTDOWN_GRACE_MS`: on SIGTERM, how long requests in flight may finish. Default: 10,000. */
  shutdownGraceMs: number;
  /** `NOW` (ISO timestamp): a fixed "now" for the APIs. Default: the wall clock. */
  now: Date | undefined;
  /** `LOG_LEVEL`. Default: `info`. */
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
}

/** Variables whose values are secrets: a problem names them, never shows them. */
const SECRET_VARIABLES = new Set(['ELEVENLABS_API_KEY', 'METRICS_TOKEN']);
/** Variables holding URLs that may carry credentials: a problem shows them redacted. */
const URL_VARIABLES = new Set(['DATABASE_URL', 'DATABASE_READ_URL', 'REDIS_URL', 'ALERT_WEBHOOK_URL']);

const urlWithScheme = (schemes: string[]) =>
  z.url().refine((value) => schemes.includes(new URL(value).protocol), {
    message: `must be a URL starting with ${schemes.map((s) => `${s}//`).join(' or ')}`,
  });

const integer = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d{1,9}$/, `must be an integer from ${min} to ${max}`)
    .transform(Number)
    .pipe(
      z
        .number()
        .min(min, `must be an integer from ${min} to ${max}`)
        .max(max, `must be an integer from ${min} to ${max}`),
    );

const DAY_MS = 86_400_000;

const envSchema = z.object({
  DATABASE_URL: urlWithScheme(['postgres:', 'postgresql:']).default(DEFAULT_DATABASE_URL),
  DATABASE_READ_URL: urlWithScheme(['postgres:', 'postgresql:']).optional(),
  DB_POOL_SIZE: integer(1, 1_000).default(10),
  DB_ACQUIRE_TIMEOUT_MS: integer(1, 600_000).default(5_000),
  DB_QUERY_TIMEOUT_MS: integer(1, 3_600_000).default(60_000),
  DB_STATEMENT_TIMEOUT_MS: integer(1, 3_600_000).optional(),
  DB_IDLE_IN_TRANSACTION_TIMEOUT_MS: integer(1, 3_600_000).default(10_000),
  DB_PREPARED_STATEMENTS: z.enum(['on', 'off']).default('on'),
  REDIS_URL: urlWithScheme(['redis:', 'rediss:']).optional(),
  PORT: integer(0, 65_535).default(3000),
  MODE: z.enum(MODE_NAMES).default('naive'),
  CACHE: z.enum(['on', 'off']).default('on'),
  CACHE_TTL_MS: integer(1, DAY_MS).optional(),
  CACHE_SWR_MS: integer(0, DAY_MS).optional(),
  CACHE_STALE_IF_ERROR_MS: integer(0, 7 * DAY_MS).optional(),
  AUTH_CACHE_TTL_MS: integer(0, 3_600_000).default(30_000),
  ELEVENLABS_BASE_URL: urlWithScheme(['http:', 'https:'])
    .transform((value) => value.replace(/\/+$/, ''))
    .optional(),
  ELEVENLABS_API_KEY: z.string().min(1).optional(),
  ELEVENLABS_BUDGET_MS: integer(1, 60_000).default(250),
  ROLLUP_INTERVAL_MS: integer(100, DAY_MS).default(30_000),
  SHED_EVENT_LOOP_DELAY_MS: integer(0, 60_000).default(500),
  // Sent as a Bearer token: printable ASCII without spaces (bearerToken), long enough not to be guessed.
  METRICS_TOKEN: z
    .string()
    .regex(/^[\x21-\x7e]{16,256}$/, 'must be 16 to 256 printable ASCII characters without spaces')
    .optional(),
  MONITOR_WINDOW_MS: integer(1_000, 3_600_000).default(60_000),
  ALERT_WEBHOOK_URL: urlWithScheme(['http:', 'https:']).optional(),
  REQUEST_TIMEOUT_MS: integer(1_000, 600_000).default(30_000),
  SHUTDOWN_GRACE_MS: integer(0, 600_000).default(10_000),
  NOW: z.iso
    .datetime({ offset: true })
    .transform((value) => new Date(value))
    .optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

/** How a bad value is shown in a problem: secrets never, URLs without their credentials. */
function shown(name: string, value: string | undefined): string {
  if (value === undefined || SECRET_VARIABLES.has(name)) return '';
  return ` (got ${JSON.stringify(URL_VARIABLES.has(name) ? redactUrl(value) : value)})`;
}

/**
 * Reads and validates the configuration; every problem is reported at once
 * in a {@link ConfigError}. Empty variables count as unset. No problem shows
 * a secret: tokens and keys are named only, URLs are shown redacted.
 *
 * @example
 * const config = loadConfig(process.env);
 */
export function loadConfig(env: NodeJS.ProcessEnv): AppConfig {
  const set = Object.fromEntries(
    Object.entries(env).filter(([, value]) => value !== undefined && value !== ''),
  ) as Record<string, string>;
  const parsed = envSchema.safeParse(set);
  const problems = (parsed.error?.issues ?? []).map((issue) => {
    const name = String(issue.path[0] ?? 'environment');
    return `${name} ${issue.message}${shown(name, set[name])}`;
  });
  if (set.ELEVENLABS_BASE_URL !== undefined && set.ELEVENLABS_API_KEY === undefined) {
    problems.push('ELEVENLABS_API_KEY is required when ELEVENLABS_BASE_URL is set');
  }
  const timeouts = parsed.data;
  if (
    timeouts?.DB_STATEMENT_TIMEOUT_MS !== undefined &&
    timeouts.DB_STATEMENT_TIMEOUT_MS >= timeouts.DB_QUERY_TIMEOUT_MS
  ) {
    problems.push(
      `DB_STATEMENT_TIMEOUT_MS must be below DB_QUERY_TIMEOUT_MS (${timeouts.DB_QUERY_TIMEOUT_MS}), so the server cancels a slow statement before the app drops its connection as hung (got ${timeouts.DB_STATEMENT_TIMEOUT_MS})`,
    );
  }
  if (!parsed.success || problems.length > 0) throw new ConfigError(problems);
  const e = parsed.data;
  return {
    databaseUrl: e.DATABASE_URL,
    databaseReadUrl: e.DATABASE_READ_URL,
    poolSize: e.DB_POOL_SIZE,
    poolAcquireTimeoutMs: e.DB_ACQUIRE_TIMEOUT_MS,
    queryTimeoutMs: e.DB_QUERY_TIMEOUT_MS,
    statementTimeoutMs: e.DB_STATEMENT_TIMEOUT_MS ?? Math.floor(e.DB_QUERY_TIMEOUT_MS * 0.9),
    idleInTransactionTimeoutMs: e.DB_IDLE_IN_TRANSACTION_TIMEOUT_MS,
    preparedStatements: e.DB_PREPARED_STATEMENTS === 'on',
    redisUrl: e.REDIS_URL,
    port: e.PORT,
    mode: e.MODE,
    cache: e.CACHE,
    cacheWindows: {
      ...(e.CACHE_TTL_MS === undefined ? {} : { ttlMs: e.CACHE_TTL_MS }),
      ...(e.CACHE_SWR_MS === undefined ? {} : { swrMs: e.CACHE_SWR_MS }),
      ...(e.CACHE_STALE_IF_ERROR_MS === undefined ? {} : { staleIfErrorMs: e.CACHE_STALE_IF_ERROR_MS }),
    },
    authCacheTtlMs: e.AUTH_CACHE_TTL_MS,
    elevenLabsBaseUrl: e.ELEVENLABS_BASE_URL,
    elevenLabsApiKey: e.ELEVENLABS_API_KEY,
    elevenLabsBudgetMs: e.ELEVENLABS_BUDGET_MS,
    rollupIntervalMs: e.ROLLUP_INTERVAL_MS,
    shedEventLoopDelayMs: e.SHED_EVENT_LOOP_DELAY_MS,
    metricsToken: e.METRICS_TOKEN,
    monitorWindowMs: e.MONITOR_WINDOW_MS,
    alertWebhookUrl: e.ALERT_WEBHOOK_URL,
    requestTimeoutMs: e.REQUEST_TIMEOUT_MS,
    shutdownGraceMs: e.SHUTDOWN_GRACE_MS,
    now: e.NOW,
    logLevel: e.LOG_LEVEL,
  };
}
