import { manualClock } from '@perfkit/primitives/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type CacheRefreshEvent, createCache } from '../../src/index.js';
import {
  createInstance,
  deferred,
  deleteKeys,
  gatedLoader,
  type Instance,
} from '../support/redis-helpers.js';

const PREFIX = `test:cache:freshness:${process.pid}:`;
const clock = manualClock();
let instance: Instance;
let keyNo = 0;
const nextKey = () => `key:${++keyNo}`;

function counter<T>(values: T[]) {
  let calls = 0;
  const loader = async () => values[Math.min(calls++, values.length - 1)] as T;
  return { loader, calls: () => calls };
}

beforeAll(async () => {
  instance = await createInstance(PREFIX, { clock, jitter: 0, ttl: 1000 });
});
afterAll(async () => {
  await deleteKeys(instance.client, PREFIX);
  await instance.close();
});
afterEach(() => clock.advance(10_000_000));

describe('freshness windows', () => {
  it('serves a fresh value from L1 without calling the loader again', async () => {
    const key = nextKey();
    const { loader, calls } = counter(['v1', 'v2']);
    expect(await instance.cache.getOrSetWithStatus(key, loader)).toEqual({ value: 'v1', status: 'miss' });
    clock.advance(999);
    expect(await instance.cache.getOrSetWithStatus(key, loader)).toEqual({ value: 'v1', status: 'hit' });
    expect(calls()).toBe(1);
  });

  it('serves stale while one refresh runs in the background, then the refreshed value', async () => {
    const key = nextKey();
    await instance.cache.getOrSet(key, async () => 'v1', { swr: 5000 });
    clock.advance(1500);
    const refresh = gatedLoader(() => 'v2');
    const refreshed = deferred<CacheRefreshEvent>();
    instance.cache.on('refresh', refreshed.resolve);
    const stale = await Promise.all(
      [1, 2, 3].map(() => instance.cache.getOrSetWithStatus(key, refresh.loader, { swr: 5000 })),
    );
    expect(stale).toEqual([1, 2, 3].map(() => ({ value: 'v1', status: 'stale' })));
    await refresh.started;
    expect(await instance.cache.getOrSetWithStatus(key, refresh.loader, { swr: 5000 })).toEqual({
      value: 'v1',
      status: 'stale',
    });
    refresh.release();
    await refreshed.promise;
    instance.cache.off('refresh', refreshed.resolve);
    expect(refresh.calls()).toBe(1);
    expect(await instance.cache.getOrSetWithStatus(key, refresh.loader)).toEqual({
      value: 'v2',
      status: 'hit',
    });
  });

  it('serves a stale value only when the loader fails, within staleIfError', async () => {
    const key = nextKey();
    await instance.cache.getOrSet(key, async () => 'v1', { staleIfError: 5000 });
    clock.advance(2000);
    const failing = async () => {
      throw new Error('db down');
    };
    expect(await instance.cache.getOrSetWithStatus(key, failing, { staleIfError: 5000 })).toEqual({
      value: 'v1',
      status: 'stale-on-error',
    });
    expect(await instance.cache.getOrSetWithStatus(key, async () => 'v2', { staleIfError: 5000 })).toEqual({
      value: 'v2',
      status: 'miss',
    });
  });

  it('calls the loader once an entry is past every window, and surfaces its error', async () => {
    const key = nextKey();
    await instance.cache.getOrSet(key, async () => 'v1', { swr: 1000, staleIfError: 2000 });
    clock.advance(1000 + 2000);
    await expect(
      instance.cache.getOrSet(key, async () => Promise.reject(new Error('db down')), { staleIfError: 2000 }),
    ).rejects.toThrow('db down');
  });

  it('never serves an invalidated entry stale, even when the loader fails', async () => {
    const key = nextKey();
    const opts = { swr: 5000, staleIfError: 5000, tags: ['user:9'] };
    await instance.cache.getOrSet(key, async () => 'v1', opts);
    await instance.cache.invalidateTags(['user:9']);
    clock.advance(1500);
    await expect(
      instance.cache.getOrSet(key, () => Promise.reject(new Error('db down')), opts),
    ).rejects.toThrow('db down');
    expect(await instance.cache.peek(key)).toBeUndefined();
  });

  it('shortens each ttl by a random jitter so entries written together expire apart', async () => {
    const jittered = createCache({ clock, ttl: 10_000, jitter: 0.5 });
    const keys = Array.from({ length: 50 }, (_, i) => `j${i}`);
    for (const key of keys) await jittered.getOrSet(key, async () => key);
    clock.advance(7_500);
    const results = await Promise.all(keys.map((key) => jittered.getOrSetWithStatus(key, async () => 'new')));
    const expired = results.filter((r) => r.status === 'miss').length;
    expect(expired).toBeGreaterThan(5);
    expect(expired).toBeLessThan(45);
  });
});
