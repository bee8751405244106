import { manualClock } from '@perfkit/primitives/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCache } from '../../src/index.js';
import { createInstance, deleteKeys, gatedLoader, type Instance } from '../support/redis-helpers.js';

const PREFIX = `test:cache:is-cacheable:${process.pid}:`;
const clock = manualClock();
const options = { clock, jitter: 0, ttl: 1000, staleIfError: 60_000 };
const notNull = (value: number | null) => value !== null;
const failing = async (): Promise<number | null> => {
  throw new Error('database down');
};
let a: Instance;
let b: Instance;

beforeAll(async () => {
  [a, b] = await Promise.all([createInstance(PREFIX, options), createInstance(PREFIX, options)]);
});
afterAll(async () => {
  await deleteKeys(a.client, PREFIX);
  await Promise.all([a.close(), b.close()]);
});

describe('isCacheable', () => {
  it('returns a refused value to every caller joined to the load without storing it', async () => {
    const cache = createCache(options);
    const gated = gatedLoader(() => null);
    const first = cache.getOrSetWithStatus('unknown', gated.loader, { isCacheable: notNull });
    const joined = cache.getOrSet('unknown', gated.loader, { isCacheable: notNull });
    gated.release();
    expect(await first).toEqual({ value: null, status: 'miss' });
    expect(await joined).toBeNull();
    expect(await cache.peek('unknown')).toBeUndefined();
    expect(await cache.getOrSet('unknown', async () => 7, { isCacheable: notNull })).toBe(7);
    expect(gated.calls()).toBe(1);
  });

  it('deletes the entry a refused value supersedes, so a failing loader cannot serve it stale', async () => {
    const cache = createCache(options);
    await cache.getOrSet('revoked', async () => 42, { isCacheable: notNull });
    clock.advance(1000);
    expect(await cache.getOrSet('revoked', async () => null, { isCacheable: notNull })).toBeNull();
    await expect(cache.getOrSet('revoked', failing)).rejects.toThrow('database down');
  });

  it('leaves neither the refused value nor the entry it supersedes in L2 for other instances', async () => {
    await a.cache.set('shared', 42);
    clock.advance(1000);
    expect(await a.cache.getOrSet('shared', async () => null, { isCacheable: notNull })).toBeNull();
    await expect(b.cache.getOrSet('shared', failing)).rejects.toThrow('database down');
    expect(await b.cache.getOrSetWithStatus('shared', async () => 7)).toEqual({ value: 7, status: 'miss' });
  });

  it('rejects an isCacheable that is not a function', async () => {
    const cache = createCache(options);
    await expect(
      cache.getOrSet('k', async () => 1, { isCacheable: true as unknown as () => boolean }),
    ).rejects.toThrow('cache: isCacheable must be a function (value) => boolean');
  });
});
