import { createCache } from '@perfkit/cache';
import { createRedisBus, createRedisStore } from '@perfkit/cache/redis';
import { freePort, startPrivateRedis } from '@perfkit/testing';
import { Redis } from 'ioredis';
import { percentileOfSorted, sortedCopy } from '../../support/stats.js';
import { delay } from '../measure.js';

export interface RedisDownRow {
  case: string;
  firstCallMs: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  invalidateMs: number;
  unhandledRejections: number;
}

/** perfkit with default options while Redis is unreachable, and after it is killed mid-run. */
export async function measureRedisDown(calls: number): Promise<RedisDownRow[]> {
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  process.on('unhandledRejection', onUnhandled);
  try {
    const never = await measureAgainst(`redis://127.0.0.1:${await freePort()}`, calls, async () => undefined);
    const server = await startPrivateRedis();
    const killed = await measureAgainst(server.url, calls, server.kill).finally(() => server.stop());
    await delay(100);
    return [
      { case: 'never reachable', ...never, unhandledRejections: 0 },
      { case: 'killed mid-run', ...killed, unhandledRejections: unhandled.length },
    ];
  } finally {
    process.off('unhandledRejection', onUnhandled);
  }
}

async function measureAgainst(url: string, calls: number, breakRedis: () => Promise<void>) {
  const client = new Redis(url);
  client.on('error', () => undefined);
  const bus = createRedisBus(client);
  const cache = createCache({ l2: createRedisStore(client, { prefix: 'bench:down:' }), bus });
  const loader = async () => ({ ok: true });
  await cache.getOrSet('warm', loader);
  await breakRedis();
  const timings: number[] = [];
  for (let i = 0; i < calls; i++) {
    const started = performance.now();
    await cache.getOrSet(`cold:${i}`, loader);
    timings.push(performance.now() - started);
  }
  const startedInvalidate = performance.now();
  await cache.invalidateTags(['user:42']);
  const invalidateMs = performance.now() - startedInvalidate;
  cache.close();
  await bus.close();
  client.disconnect();
  const sorted = sortedCopy(timings);
  return {
    firstCallMs: timings[0] ?? Number.NaN,
    p50Ms: percentileOfSorted(sorted, 50),
    p99Ms: percentileOfSorted(sorted, 99),
    maxMs: sorted[sorted.length - 1] ?? Number.NaN,
    invalidateMs,
  };
}
