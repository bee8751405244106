import { DEFAULT_DATABASE_URL } from '@perfkit/queries';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { ConfigError } from '../src/errors.js';

function problemsOf(env: NodeJS.ProcessEnv): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('works on a fresh machine with nothing set', () => {
    expect(loadConfig({})).toEqual({
      databaseUrl: DEFAULT_DATABASE_URL,
      databaseReadUrl: undefined,
      poolSize: 10,
      poolAcquireTimeoutMs: 5_000,
      queryTimeoutMs: 60_000,
      statementTimeoutMs: 54_000,
      idleInTransactionTimeoutMs: 10_000,
      preparedStatements: true,
      redisUrl: undefined,
      port: 3000,
      mode: 'naive',
      cache: 'on',
      cacheWindows: {},
      authCacheTtlMs: 30_000,
      elevenLabsBaseUrl: undefined,
      elevenLabsApiKey: undefined,
      elevenLabsBudgetMs: 250,
      rollupIntervalMs: 30_000,
      shedEventLoopDelayMs: 500,
      metricsToken: undefined,
      monitorWindowMs: 60_000,
      alertWebhookUrl: undefined,
      requestTimeoutMs: 30_000,
      shutdownGraceMs: 10_000,
      now: undefined,
      logLevel: 'info',
    });
  });

  it('reads every variable', () => {
    const config = loadConfig({
      DATABASE_URL: 'postgres://app@db:5432/platform',
      PORT: '0',
      MODE: 'optimized',
      ELEVENLABS_BASE_URL: 'https://api.elevenlabs.io/',
      ELEVENLABS_API_KEY: 'sk',
      NOW: '2026-11-01T15:00:00Z',
      LOG_LEVEL: 'silent',
    });

    expect(config).toMatchObject({
      port: 0,
      mode: 'optimized',
      elevenLabsBaseUrl: 'https://api.elevenlabs.io',
    });
    expect(config.now?.toISOString()).toBe('2026-11-01T15:00:00.000Z');
  });

  it('reports every bad variable at once, by name and value', () => {
    const problems = problemsOf({
      PORT: 'eighty',
      MODE: 'fast',
      DATABASE_URL: 'mysql://x/y',
      NOW: 'yesterday',
      DB_PREPARED_STATEMENTS: 'no',
    });

    expect(problems).toHaveLength(5);
    expect(problems.join('\n')).toMatch(/DB_PREPARED_STATEMENTS .*"no"/);
    expect(problems.join('\n')).toMatch(/PORT .*"eighty"/);
    expect(problems.join('\n')).toMatch(/MODE .*"fast"/);
    expect(problems.join('\n')).toMatch(/DATABASE_URL .*postgres/);
    expect(problems.join('\n')).toMatch(/NOW /);
  });

  it("reads the optimized mode's variables", () => {
    const config = loadConfig({
      REDIS_URL: 'redis://cache:6379',
      DATABASE_READ_URL: 'postgres://app@replica:5432/platform',
      DB_POOL_SIZE: '20',
      DB_ACQUIRE_TIMEOUT_MS: '2000',
      DB_QUERY_TIMEOUT_MS: '30000',
      DB_STATEMENT_TIMEOUT_MS: '20000',
      DB_IDLE_IN_TRANSACTION_TIMEOUT_MS: '5000',
      DB_PREPARED_STATEMENTS: 'off',
      CACHE: 'off',
      CACHE_TTL_MS: '1000',
      CACHE_SWR_MS: '0',
      ELEVENLABS_BUDGET_MS: '400',
      SHED_EVENT_LOOP_DELAY_MS: '0',
      METRICS_TOKEN: 'a-long-enough-token',
      MONITOR_WINDOW_MS: '30000',
    });

    expect(config).toMatchObject({
      redisUrl: 'redis://cache:6379',
      databaseReadUrl: 'postgres://app@replica:5432/platform',
      poolSize: 20,
      poolAcquireTimeoutMs: 2_000,
      queryTimeoutMs: 30_000,
      statementTimeoutMs: 20_000,
      idleInTransactionTimeoutMs: 5_000,
      preparedStatements: false,
      cache: 'off',
      cacheWindows: { ttlMs: 1_000, swrMs: 0 },
      elevenLabsBudgetMs: 400,
      shedEventLoopDelayMs: 0,
      metricsToken: 'a-long-enough-token',
      monitorWindowMs: 30_000,
    });
  });

  it('never shows a secret in a problem: passwords in URLs are masked, tokens only named', () => {
    const problems = problemsOf({
      DATABASE_URL: 'mysql://app:hunter2@db/platform',
      REDIS_URL: 'http://user:s3cret@cache:6379',
      METRICS_TOKEN: 'short-secret',
    }).join('\n');

    expect(problems).toMatch(/DATABASE_URL .*app:\*\*\*@db/);
    expect(problems).toMatch(/REDIS_URL /);
    expect(problems).toMatch(/METRICS_TOKEN /);
    expect(problems).not.toMatch(/hunter2|s3cret|short-secret/);
  });

  it('refuses a metrics token no Bearer header can carry (a space, non-ASCII, over 256 characters)', () => {
    for (const token of ['a long token with spaces', 'jeton-très-secret-0123', 'x'.repeat(257)]) {
      expect(problemsOf({ METRICS_TOKEN: token })).toEqual([
        'METRICS_TOKEN must be 16 to 256 printable ASCII characters without spaces',
      ]);
    }
  });

  it('refuses a port out of range', () => {
    expect(problemsOf({ PORT: '70000' })).toEqual([expect.stringMatching(/^PORT /)]);
  });

  it('refuses a monitor window under a second', () => {
    expect(problemsOf({ MONITOR_WINDOW_MS: '500' })).toEqual([expect.stringMatching(/^MONITOR_WINDOW_MS /)]);
  });

  it('keeps the statement timeout below the query timeout: the server cancels before the app drops the connection', () => {
    expect(loadConfig({ DB_QUERY_TIMEOUT_MS: '10000' }).statementTimeoutMs).toBe(9_000);
    expect(problemsOf({ DB_QUERY_TIMEOUT_MS: '10000', DB_STATEMENT_TIMEOUT_MS: '10000' })).toEqual([
      expect.stringMatching(/^DB_STATEMENT_TIMEOUT_MS must be below DB_QUERY_TIMEOUT_MS \(10000\)/),
    ]);
  });

  it('requires ELEVENLABS_API_KEY with ELEVENLABS_BASE_URL', () => {
    expect(problemsOf({ ELEVENLABS_BASE_URL: 'http://127.0.0.1:9000' })).toEqual([
      'ELEVENLABS_API_KEY is required when ELEVENLABS_BASE_URL is set',
    ]);
  });
});
