import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CacheL2Error, CacheLoadTimeoutError, createCache } from '../../src/index.js';
import { createRedisStore } from '../../src/redis.js';
import {
  connectRedis,
  createInstance,
  deleteKeys,
  type Instance,
  type PrivateRedis,
  startPrivateRedis,
} from '../support/redis-helpers.js';

const PREFIX = `test:cache:stampede:${process.pid}:`;
const LEASE = { lease: true, leaseTtl: '10s', leaseWait: '5s', leasePollInterval: 10 } as const;
let instances: [Instance, Instance, Instance, Instance];
let keyNo = 0;
const nextKey = () => `storm:${++keyNo}`;
const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

beforeAll(async () => {
  instances = (await Promise.all([1, 2, 3, 4].map(() => createInstance(PREFIX, LEASE)))) as typeof instances;
});
afterAll(async () => {
  await deleteKeys(instances[0].client, PREFIX);
  await Promise.all(instances.map((i) => i.close()));
});

function slowLoader(ms: number, value = 'v') {
  let calls = 0;
  const loader = async () => {
    calls += 1;
    await delay(ms);
    return value;
  };
  return { loader, calls: () => calls };
}

describe('stampede protection', () => {
  it('runs one loader for 1,000 concurrent misses on one key in one process', async () => {
    const key = nextKey();
    const { loader, calls } = slowLoader(30);
    const values = await Promise.all(
      Array.from({ length: 1000 }, () => instances[0].cache.getOrSet(key, loader)),
    );
    expect(calls()).toBe(1);
    expect(new Set(values)).toEqual(new Set(['v']));
  });

  it('runs one loader for 4 instances x 250 concurrent misses when the lease is on', async () => {
    const key = nextKey();
    const { loader, calls } = slowLoader(100);
    const all = instances.flatMap((instance) =>
      Array.from({ length: 250 }, () => instance.cache.getOrSetWithStatus(key, loader)),
    );
    const results = await Promise.all(all);
    expect(calls()).toBe(1);
    expect(results.every((r) => r.value === 'v')).toBe(true);
  });

  it('releases waiters of a hanging loader at its timeout, and other instances load instead', async () => {
    const key = nextKey();
    const [a, b] = instances;
    const hanging = a.cache.getOrSet(key, () => new Promise<string>(() => undefined), { timeout: 100 });
    const joined = a.cache.getOrSet(key, async () => 'unused');
    await delay(20);
    const started = performance.now();
    const fromB = b.cache.getOrSet(key, async () => 'b');
    await expect(hanging).rejects.toBeInstanceOf(CacheLoadTimeoutError);
    await expect(joined).rejects.toBeInstanceOf(CacheLoadTimeoutError);
    expect(await fromB).toBe('b');
    expect(performance.now() - started).toBeLessThan(2_000);
  });

  it('releases other instances’ waiters as soon as the lease holder’s loader fails', async () => {
    const key = nextKey();
    const [a, b] = instances;
    const failing = a.cache.getOrSet(key, async () => {
      await delay(50);
      throw new Error('db down');
    });
    await delay(10);
    const fromB = b.cache.getOrSet(key, async () => 'b');
    await expect(failing).rejects.toThrow('db down');
    expect(await fromB).toBe('b');
  });

  it('stops waiting for a lease whose holder died after leaseWait and loads itself', async () => {
    const key = nextKey();
    const impatient = await createInstance(PREFIX, { ...LEASE, leaseWait: 150 });
    const store = createRedisStore(impatient.client, { prefix: PREFIX });
    const taken = await store.read('default', key, { token: 'dead-instance', ttlMs: 60_000 });
    expect(taken.leased).toBe(true);
    const started = performance.now();
    expect(await impatient.cache.getOrSet(key, async () => 'mine')).toBe('mine');
    const waited = performance.now() - started;
    expect(waited).toBeGreaterThanOrEqual(140);
    expect(waited).toBeLessThan(2_000);
    await impatient.close();
  });
});

describe('cold start of a cluster', () => {
  let redis: PrivateRedis;
  beforeAll(async () => {
    redis = await startPrivateRedis();
  });
  afterAll(() => redis.stop());

  /** Fresh caches on fresh clients of a Redis that accepts connections but does not answer yet. */
  function coldInstances(count: number, options: { l2Timeout: number; l2ConnectTimeout: number }) {
    redis.freeze();
    const clients = Array.from({ length: count }, () => connectRedis(redis.url));
    const caches = clients.map((client) =>
      createCache({ l2: createRedisStore(client, { prefix: PREFIX }), ...LEASE, ...options }),
    );
    const close = () => {
      for (const client of clients) client.disconnect();
    };
    return { caches, close };
  }

  it('holds the lease from the first request: 4 fresh instances, one loader, though Redis answers after l2Timeout', async () => {
    const cold = coldInstances(4, { l2Timeout: 50, l2ConnectTimeout: 10_000 });
    try {
      const key = nextKey();
      let calls = 0;
      const loader = async () => {
        calls += 1;
        return 'v';
      };
      const values = Promise.all(cold.caches.map((cache) => cache.getOrSet(key, loader)));
      // Redis comes up 10× later than l2Timeout and 20× sooner than l2ConnectTimeout.
      setTimeout(() => redis.thaw(), 500);
      expect(await values).toEqual(['v', 'v', 'v', 'v']);
      expect(calls).toBe(1);
    } finally {
      redis.thaw();
      cold.close();
    }
  });

  it('stops waiting for a Redis that never answers at l2ConnectTimeout and serves the loader’s value', async () => {
    const cold = coldInstances(1, { l2Timeout: 20, l2ConnectTimeout: 200 });
    const [cache] = cold.caches as [ReturnType<typeof createCache>];
    const errors: Error[] = [];
    cache.on('l2-error', (event) => errors.push(event.error));
    try {
      expect(await cache.getOrSet(nextKey(), async () => 'from-db')).toBe('from-db');
      expect(errors[0]).toBeInstanceOf(CacheL2Error);
      expect(errors[0]).toMatchObject({ code: 'PERFKIT_CACHE_L2_TIMEOUT' });
      expect(errors[0]?.message).toContain('no answer within 200 ms');
    } finally {
      redis.thaw();
      cold.close();
    }
  });
});
