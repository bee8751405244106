import { Redis } from 'ioredis';
import type { RunningApp } from '../../../src/server.js';
import { startAppOn, TEST_REDIS_URL, type TestAppOptions, type TestData } from '../../support/test-app.js';

/**
 * The event-loop delay above which the chaos apps shed load: four times the
 * default. The load generator shares the apps' process and the machine is
 * small and shared, so a stall of a few hundred milliseconds happens, and at
 * the default (500 ms) every request queued behind it would be shed. Shedding
 * has its own tests (test/ops/load-shedding.test.ts); here a stall longer than
 * this still fails the scenario.
 */
const CHAOS_SHED_EVENT_LOOP_DELAY_MS = 2_000;

/**
 * An app for a chaos scenario: {@link startAppOn} with the chaos shedding threshold.
 *
 * @example
 * const app = await startChaosApp(data, { mode: 'optimized', config: { redisUrl } });
 */
export function startChaosApp(data: TestData, options: TestAppOptions = {}): Promise<RunningApp> {
  return startAppOn(data, {
    ...options,
    config: { shedEventLoopDelayMs: CHAOS_SHED_EVENT_LOOP_DELAY_MS, ...options.config },
  });
}

/** Two optimized instances on one Redis: one key prefix, one invalidation bus, as in production. */
export interface InstancePair {
  a: RunningApp;
  b: RunningApp;
  /** Closes both; on the shared test Redis, also removes the keys they left there. */
  close(): Promise<void>;
}

/**
 * Starts two optimized chaos apps on `data` with `config`, sharing the Redis
 * at `config.redisUrl` (default: the shared test Redis). A private Redis is
 * the caller's to stop, its keys with it, so only the shared one's are
 * removed at close.
 *
 * @example
 * const { a, b, close } = await startInstancePair(data, { redisUrl: redis.url });
 */
export async function startInstancePair(
  data: TestData,
  config: TestAppOptions['config'] = {},
): Promise<InstancePair> {
  const redisUrl = config.redisUrl ?? TEST_REDIS_URL;
  const start = () => startChaosApp(data, { mode: 'optimized', config: { ...config, redisUrl } });
  const a = await start();
  const b = await start().catch(async (error: unknown) => {
    await a.close();
    throw error;
  });
  return {
    a,
    b,
    async close() {
      await a.close();
      await b.close();
      if (redisUrl === TEST_REDIS_URL) await forgetRedisKeys(data);
    },
  };
}

/**
 * Removes what apps on `data` left in the shared Redis (their key prefix is
 * the data set's, see `startAppOn`).
 *
 * @example
 * afterAll(() => forgetRedisKeys(data));
 */
export async function forgetRedisKeys(data: TestData): Promise<void> {
  const redis = new Redis(TEST_REDIS_URL);
  try {
    const keys = await redis.keys(`test:${data.schema.schema}:*`);
    if (keys.length > 0) await redis.del(...keys);
  } finally {
    redis.disconnect();
  }
}
