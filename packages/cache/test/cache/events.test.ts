import { manualClock } from '@perfkit/primitives/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CacheEventMap, CacheEventName } from '../../src/index.js';
import { createInstance, deferred, deleteKeys, type Instance } from '../support/redis-helpers.js';

const PREFIX = `test:cache:events:${process.pid}:`;
const clock = manualClock();
let a: Instance;
let b: Instance;

beforeAll(async () => {
  [a, b] = await Promise.all([
    createInstance(PREFIX, { clock, jitter: 0, ttl: 1000, swr: 5000, staleIfError: 10_000 }),
    createInstance(PREFIX, { clock, jitter: 0, ttl: 1000 }),
  ]);
});
afterAll(async () => {
  await deleteKeys(a.client, PREFIX);
  await Promise.all([a.close(), b.close()]);
});

/** Subscribes to every event of an instance and records them in order, without the volatile fields. */
function record(instance: Instance) {
  const seen: [CacheEventName, Record<string, unknown>][] = [];
  const names: CacheEventName[] = [
    'hit',
    'miss',
    'stale',
    'refresh',
    'refresh-error',
    'evict',
    'l2-error',
    'bus',
  ];
  for (const name of names) {
    instance.cache.on(name, (payload: CacheEventMap[typeof name]) => {
      const { durationMs: _d, ageMs: _a, error, ...rest } = payload as unknown as Record<string, unknown>;
      seen.push([name, error instanceof Error ? { ...rest, error: error.message } : rest]);
    });
  }
  return seen;
}

describe('events and stats', () => {
  it('emits typed events for hits per layer, misses, loads, stale serving and evictions', async () => {
    const seen = record(a);
    const fromB = record(b);
    await a.cache.getOrSet('e1', async () => 1);
    await a.cache.getOrSet('e1', async () => 1);
    await b.cache.getOrSet('e1', async () => 2);
    clock.advance(1500);
    const refreshed = deferred();
    a.cache.on('refresh', () => refreshed.resolve());
    await a.cache.getOrSet('e1', async () => 3);
    // The background refresh is over before time moves on.
    await refreshed.promise;
    clock.advance(10_000);
    await a.cache.getOrSet('e1', () => Promise.reject(new Error('db down')));
    await a.cache.delete('e1');
    const ns = 'default';
    expect(seen).toEqual([
      ['miss', { namespace: ns, key: 'e1' }],
      ['refresh', { namespace: ns, key: 'e1' }],
      ['hit', { namespace: ns, key: 'e1', layer: 'l1' }],
      ['stale', { namespace: ns, key: 'e1', reason: 'swr' }],
      ['refresh', { namespace: ns, key: 'e1' }],
      ['miss', { namespace: ns, key: 'e1' }],
      ['refresh-error', { namespace: ns, key: 'e1', error: 'db down' }],
      ['stale', { namespace: ns, key: 'e1', reason: 'error' }],
      ['evict', { namespace: ns, key: 'e1', reason: 'deleted' }],
    ]);
    expect(fromB[0]).toEqual(['hit', { namespace: ns, key: 'e1', layer: 'l2' }]);
  });

  it('stops calling a listener after off', async () => {
    let hits = 0;
    const listener = () => {
      hits += 1;
    };
    a.cache.on('miss', listener);
    await a.cache.getOrSet('e2', async () => 1);
    a.cache.off('miss', listener);
    await a.cache.getOrSet('e3', async () => 1);
    expect(hits).toBe(1);
  });

  it('keeps serving when a listener throws', async () => {
    a.cache.on('hit', () => {
      throw new Error('broken exporter');
    });
    await a.cache.set('e4', 'v');
    expect(await a.cache.getOrSet('e4', async () => 'unused')).toBe('v');
  });

  it('ignores an async listener that rejects, which would otherwise be an unhandled rejection', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    const listener = async () => {
      throw new Error('metrics backend down');
    };
    a.cache.on('miss', listener);
    try {
      expect(await a.cache.getOrSet('e5', async () => 'loaded')).toBe('loaded');
      await new Promise((resolve) => setImmediate(resolve));
      expect(unhandled).toEqual([]);
    } finally {
      a.cache.off('miss', listener);
      process.off('unhandledRejection', onUnhandled);
    }
  });

  it('counts hits, misses and loads in stats', async () => {
    const before = b.cache.stats();
    await b.cache.getOrSet('s1', async () => 1);
    await b.cache.getOrSet('s1', async () => 1);
    const after = b.cache.stats();
    expect(after.misses - before.misses).toBe(1);
    expect(after.l1Hits - before.l1Hits).toBe(1);
    expect(after.loads - before.loads).toBe(1);
    expect(after).toMatchObject({ l2: 'closed', bus: 'connected' });
    expect(after.l1Bytes).toBeGreaterThan(0);
  });
});
