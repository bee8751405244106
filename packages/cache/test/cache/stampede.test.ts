import { manualClock } from '@perfkit/primitives/testing';
import { type PrivateRedis, startPrivateRedis } from '@perfkit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CacheL2Error, CacheLoadTimeoutError, type CacheStore, createCache } from '../../src/index.js';
import { createRedisStore } from '../../src/redis.js';
import {
  advanceUntilSettled,
  connectRedis,
  createInstance,
  deleteKeys,
  gatedLoader,
  type Instance,
  waitFor,
} from '../support/redis-helpers.js';

const PREFIX = `test:cache:stampede:${process.pid}:`;
// A poll interval no other sleep of these caches has, so `clock.sleeping(POLL)` counts lease waiters only.
const POLL = 7;
const LEASE = { lease: true, leaseTtl: '10s', leaseWait: '5s', leasePollInterval: POLL } as const;
const clock = manualClock();
let instances: [Instance, Instance, Instance, Instance];
let keyNo = 0;
const nextKey = () => `storm:${++keyNo}`;

beforeAll(async () => {
  instances = (await Promise.all(
    [1, 2, 3, 4].map(() => createInstance(PREFIX, { ...LEASE, clock })),
  )) as typeof instances;
});
afterAll(async () => {
  await deleteKeys(instances[0].client, PREFIX);
  await Promise.all(instances.map((i) => i.close()));
});

describe('stampede protection', () => {
  it('runs one loader for 1,000 concurrent misses on one key in one process', async () => {
    const key = nextKey();
    const gated = gatedLoader(() => 'v');
    const values = Promise.all(
      Array.from({ length: 1000 }, () => instances[0].cache.getOrSet(key, gated.loader)),
    );
    await gated.started;
    gated.release();
    expect(new Set(await values)).toEqual(new Set(['v']));
    expect(gated.calls()).toBe(1);
  });

  it('runs one loader for 4 instances x 250 concurrent misses when the lease is on', async () => {
    const key = nextKey();
    const gated = gatedLoader(() => 'v');
    const all = Promise.all(
      instances.flatMap((instance) =>
        Array.from({ length: 250 }, () => instance.cache.getOrSetWithStatus(key, gated.loader)),
      ),
    );
    // The lease holder's loader runs until the three other instances are all waiting on its lease.
    await gated.started;
    await clock.sleeping(POLL, 3);
    gated.release();
    await advanceUntilSettled(clock, all, POLL);
    expect(gated.calls()).toBe(1);
    expect((await all).every((r) => r.value === 'v')).toBe(true);
  });

  it('refreshes a stale value once for the cluster when the lease is on, not once per instance', async () => {
    const key = nextKey();
    let loads = 0;
    const loader = async () => `v${++loads}`;
    const options = { ttl: '1s', swr: '1h', jitter: 0 } as const;
    for (const instance of instances) await instance.cache.getOrSet(key, loader, options); // each holds v1
    expect(loads).toBe(1);
    clock.advance(2_000); // stale everywhere at once: they all share the L2 entry's age
    const served = await Promise.all(
      instances.flatMap((instance) =>
        Array.from({ length: 10 }, () => instance.cache.getOrSetWithStatus(key, loader, options)),
      ),
    );
    expect(new Set(served.map((result) => result.status))).toEqual(new Set(['stale']));
    await new Promise((resolve) => setTimeout(resolve, 300)); // the background refreshes end
    expect(loads).toBe(2);
  });

  it('lets go of the lease a refresh took over a value another instance had refreshed first', async () => {
    const key = nextKey();
    const [a, b] = instances;
    let loads = 0;
    const loader = async () => `v${++loads}`;
    const options = { ttl: '1s', swr: '1h', jitter: 0 } as const;
    await a.cache.getOrSet(key, loader, options);
    await b.cache.getOrSet(key, loader, options);
    clock.advance(2_000);
    await b.cache.getOrSet(key, loader, options); // stale: b refreshes it
    await waitFor(() => loads === 2);
    await a.cache.getOrSet(key, loader, options); // stale in a's memory: its refresh finds b's fresh value
    await waitFor(() => a.cache.peekLocal?.(key)?.value === 'v2');
    clock.advance(2_000);
    await a.cache.getOrSet(key, loader, options); // stale again: a refresh must run, no lease left behind
    await waitFor(() => loads === 3);
  });

  it("keeps each load's lease its own: a fenced load does not release the lease of the same instance's newer load", async () => {
    const key = nextKey();
    const [a, b] = instances;
    const first = gatedLoader(() => 'first');
    const loadingFirst = a.cache.getOrSet(key, first.loader);
    await first.started;
    await a.cache.delete(key); // fences the first load; the next one takes the lease over
    const second = gatedLoader(() => 'second');
    const loadingSecond = a.cache.getOrSet(key, second.loader);
    await second.started;
    first.release();
    await loadingFirst; // its value is not stored, and it releases only its own lease

    const third = gatedLoader(() => 'third');
    const readingB = b.cache.getOrSet(key, third.loader);
    await Promise.race([clock.sleeping(POLL), third.started]); // b waits on the second load's lease
    expect(third.calls()).toBe(0);
    second.release();
    await advanceUntilSettled(clock, Promise.all([loadingSecond, readingB]), POLL);
    expect(await readingB).toBe('second');
  });

  it('releases waiters of a hanging loader at its timeout, and other instances load instead', async () => {
    const key = nextKey();
    const [a, b] = instances;
    const hanging = gatedLoader(() => 'never');
    const timeout = 100;
    const timedOut = a.cache.getOrSet(key, hanging.loader, { timeout });
    const joined = a.cache.getOrSet(key, async () => 'unused');
    await hanging.started;
    const fromB = b.cache.getOrSet(key, async () => 'b');
    await clock.sleeping(POLL);
    clock.advance(timeout);
    await expect(timedOut).rejects.toBeInstanceOf(CacheLoadTimeoutError);
    await expect(joined).rejects.toBeInstanceOf(CacheLoadTimeoutError);
    const waited = await advanceUntilSettled(clock, fromB, POLL);
    expect(await fromB).toBe('b');
    // a released the lease as its loader timed out, so b's wait was the timeout and then at most two polls,
    // not leaseWait (5 s). The clock is manual: no machine noise enters this bound.
    expect(waited).toBeLessThanOrEqual(2 * POLL);
  });

  it('releases other instances’ waiters as soon as the lease holder’s loader fails', async () => {
    const key = nextKey();
    const [a, b] = instances;
    const failing = gatedLoader(() => 'never');
    const fromA = a.cache.getOrSet(key, failing.loader);
    await failing.started;
    const fromB = b.cache.getOrSet(key, async () => 'b');
    await clock.sleeping(POLL);
    failing.fail(new Error('db down'));
    await expect(fromA).rejects.toThrow('db down');
    const waited = await advanceUntilSettled(clock, fromB, POLL);
    expect(await fromB).toBe('b');
    // The lease was released with the failure: b took it at its next poll, not after leaseWait.
    expect(waited).toBeLessThanOrEqual(2 * POLL);
  });

  it('stops waiting for a holder whose value an invalidation voided: the waiter takes the lease at its next poll', async () => {
    const key = nextKey();
    const [a, b, c] = instances;
    const tags = [`tag-of-${key}`];
    const overtaken = gatedLoader(() => 'before the write');
    const fromA = a.cache.getOrSet(key, overtaken.loader, { tags });
    await overtaken.started;
    const fromB = b.cache.getOrSet(key, async () => 'after the write', { tags });
    await clock.sleeping(POLL);
    // A write elsewhere invalidates the tag while a's load (started before it) still runs.
    await c.cache.invalidateTags(tags);
    const waited = await advanceUntilSettled(clock, fromB, POLL);
    expect(await fromB).toBe('after the write');
    expect(waited).toBeLessThanOrEqual(2 * POLL);
    overtaken.release();
    expect(await fromA).toBe('before the write');
    // Both loads started before the invalidation, so neither value is stored: the next reader loads.
    expect(await c.cache.getOrSet(key, async () => 'reloaded', { tags })).toBe('reloaded');
  });

  it('marks a waiter’s re-reads as polls, which the Redis store answers in one round trip', async () => {
    const key = nextKey();
    const store = createRedisStore(instances[0].client, { prefix: PREFIX });
    await store.read('default', key, { token: 'dead-instance', ttlMs: 60_000 });
    const polling: boolean[] = [];
    const recording: CacheStore = Object.assign(Object.create(store) as CacheStore, {
      read: (...[namespace, read, lease]: Parameters<CacheStore['read']>) => {
        polling.push(lease?.polling ?? false);
        return store.read(namespace, read, lease);
      },
    });
    const waiter = createCache({ ...LEASE, leaseWait: 2 * POLL, l2: recording, clock });
    const value = waiter.getOrSet(key, async () => 'mine');
    for (let poll = 0; poll < 2; poll++) {
      await clock.sleeping(POLL);
      clock.advance(POLL);
    }
    expect(await value).toBe('mine');
    expect(polling).toEqual([false, true, true]);
  });

  it('polls a dead holder’s lease on the injected clock and loads itself once leaseWait has passed on it', async () => {
    const key = nextKey();
    const impatient = await createInstance(PREFIX, { ...LEASE, leaseWait: '1h', clock });
    try {
      const store = createRedisStore(impatient.client, { prefix: PREFIX });
      const taken = await store.read('default', key, { token: 'dead-instance', ttlMs: 60_000 });
      expect(taken.leased).toBe(true);
      let calls = 0;
      const value = impatient.cache.getOrSet(key, async () => {
        calls += 1;
        return 'mine';
      });
      await clock.sleeping(POLL);
      expect(calls).toBe(0);
      clock.advance(3_600_000);
      expect(await value).toBe('mine');
      expect(calls).toBe(1);
    } finally {
      await impatient.close();
    }
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
    const cold = manualClock();
    const clients = Array.from({ length: count }, () => connectRedis(redis.url));
    const caches = clients.map((client) =>
      createCache({ l2: createRedisStore(client, { prefix: PREFIX }), ...LEASE, ...options, clock: cold }),
    );
    const close = () => {
      for (const client of clients) client.disconnect();
    };
    return { caches, clock: cold, close };
  }

  it('holds the lease from the first request: 4 fresh instances, one loader, though Redis answers after l2Timeout', async () => {
    const cold = coldInstances(4, { l2Timeout: 100, l2ConnectTimeout: 10_000 });
    try {
      const key = nextKey();
      let calls = 0;
      const loader = async () => {
        calls += 1;
        return 'v';
      };
      const values = Promise.all(cold.caches.map((cache) => cache.getOrSet(key, loader)));
      // Redis comes up 10× later than l2Timeout and 10× sooner than l2ConnectTimeout.
      cold.clock.advance(1_000);
      redis.thaw();
      await advanceUntilSettled(cold.clock, values, POLL);
      expect(await values).toEqual(['v', 'v', 'v', 'v']);
      expect(calls).toBe(1);
    } finally {
      redis.thaw();
      cold.close();
    }
  });

  it('stops waiting for a Redis that never answers once l2ConnectTimeout has passed on the injected clock and serves the loader’s value', async () => {
    const cold = coldInstances(1, { l2Timeout: 60_000, l2ConnectTimeout: 3_600_000 });
    const [cache] = cold.caches as [ReturnType<typeof createCache>];
    const errors: Error[] = [];
    cache.on('l2-error', (event) => errors.push(event.error));
    try {
      const value = cache.getOrSet(nextKey(), async () => 'from-db');
      cold.clock.advance(3_600_000);
      expect(await value).toBe('from-db');
      expect(errors[0]).toBeInstanceOf(CacheL2Error);
      expect(errors[0]).toMatchObject({ code: 'PERFKIT_CACHE_L2_TIMEOUT' });
      expect(errors[0]?.message).toContain('no answer within 3600000 ms');
    } finally {
      redis.thaw();
      cold.close();
    }
  });
});
