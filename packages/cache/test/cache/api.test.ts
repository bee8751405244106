import { manualClock } from '@perfkit/primitives/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CacheLike, CacheLoadTimeoutError, type CacheStore, createCache } from '../../src/index.js';
import { createRedisStore } from '../../src/redis.js';
import { createInstance, deferred, deleteKeys, type Instance } from '../support/redis-helpers.js';

const PREFIX = `test:cache:api:${process.pid}:`;
const clock = manualClock();
let a: Instance;
let b: Instance;
let other: Instance;

beforeAll(async () => {
  [a, b, other] = await Promise.all([
    createInstance(PREFIX, { namespace: 'app', clock }),
    createInstance(PREFIX, { namespace: 'app', clock }),
    createInstance(PREFIX, { namespace: 'other', clock }),
  ]);
});
afterAll(async () => {
  await deleteKeys(a.client, PREFIX);
  await Promise.all([a.close(), b.close(), other.close()]);
});

describe('createCache without L2', () => {
  it('loads once, then serves from memory, with get, set, peek, delete and clear', async () => {
    const cache: CacheLike = createCache({ clock });
    let calls = 0;
    const load = async () => ({ n: ++calls });
    expect(await cache.getOrSet('k', load)).toEqual({ n: 1 });
    expect(await cache.getOrSet('k', load)).toEqual({ n: 1 });
    await cache.set('k', { n: 10 });
    expect(await cache.peek('k')).toEqual({ value: { n: 10 }, ageMs: 0 });
    await cache.delete('k');
    expect(await cache.peek('k')).toBeUndefined();
    await cache.set('k2', 1);
    await cache.clear();
    expect(await cache.peek('k2')).toBeUndefined();
    expect(calls).toBe(1);
  });

  it('keeps L1 within its entry bound', async () => {
    const cache = createCache({ l1MaxEntries: 10 });
    for (let i = 0; i < 50; i++) await cache.set(`k${i}`, i);
    expect(cache.stats().l1Entries).toBe(10);
    expect(cache.stats().evictions).toBe(40);
  });

  it('times a loader out on the injected clock, releasing every caller waiting on it', async () => {
    const timed = manualClock();
    const cache = createCache({ clock: timed, timeout: '1h' });
    const hanging = () => new Promise<never>(() => undefined);
    const first = cache.getOrSet('slow', hanging);
    const joined = cache.getOrSet('slow', hanging);
    await timed.sleeping(3_600_000);
    timed.advance(3_600_000);
    await expect(first).rejects.toBeInstanceOf(CacheLoadTimeoutError);
    await expect(joined).rejects.toMatchObject({ code: 'PERFKIT_CACHE_LOAD_TIMEOUT', timeoutMs: 3_600_000 });
  });

  it('rejects an empty key', async () => {
    await expect(createCache().getOrSet('', async () => 1)).rejects.toThrow(
      'cache: key must be a non-empty string',
    );
  });

  it('rejects a loader that is not a function, and caches nothing for it', async () => {
    const cache = createCache();
    await expect(cache.getOrSet('k', 'value' as never)).rejects.toThrow(
      'cache: loader must be a function that loads the value',
    );
    expect(await cache.peek('k')).toBeUndefined();
  });

  it('takes null options from JavaScript as none', async () => {
    const cache = createCache(null as never);
    await cache.set('k', 1, null as never);
    expect(await cache.getOrSet('k', async () => 2, null as never)).toBe(1);
  });
});

describe('createCache with Redis as L2', () => {
  it('serves another instance from L2 without calling its loader', async () => {
    await a.cache.getOrSet('shared', async () => ({ total: 42 }));
    let called = false;
    const result = await b.cache.getOrSetWithStatus('shared', async () => {
      called = true;
      return { total: 0 };
    });
    expect(result).toEqual({ value: { total: 42 }, status: 'hit' });
    expect(called).toBe(false);
    expect(b.cache.stats().l2Hits).toBe(1);
  });

  it('reads from L1 exactly what another instance reads from L2, Date and BigInt included', async () => {
    const value = { at: new Date(1_700_000_000_000), big: 12345678901234567890n, rows: [{ id: 1 }] };
    const fromL1 = await a.cache.getOrSet('typed', async () => value);
    const fromL2 = await b.cache.getOrSet('typed', async () => ({ at: new Date(0), big: 0n, rows: [] }));
    expect(fromL1).toEqual(value);
    expect(fromL2).toEqual(fromL1);
    expect(fromL2.at).toBeInstanceOf(Date);
    expect(typeof fromL2.big).toBe('bigint');
  });

  it('hands out frozen copies: the stored value cannot be changed through a reference', async () => {
    const original = { list: [1, 2] };
    await a.cache.set('frozen', original);
    original.list.push(3);
    const read = await a.cache.getOrSet<{ list: number[] }>('frozen', async () => ({ list: [] }));
    expect(read.list).toEqual([1, 2]);
    expect(Object.isFrozen(read.list)).toBe(true);
    expect(Object.isFrozen(original)).toBe(false);
  });

  it('peeks at the stored value and its age without loading, and reports each peek as a lookup', async () => {
    const lookups: string[] = [];
    b.cache.on('hit', (e) => lookups.push(`hit ${e.key} ${e.layer}`));
    b.cache.on('miss', (e) => lookups.push(`miss ${e.key}`));
    await a.cache.set('peeked', 'v');
    clock.advance(1234);
    expect(await b.cache.peek('peeked')).toEqual({ value: 'v', ageMs: 1234 });
    expect(await b.cache.peek('never-stored')).toBeUndefined();
    expect(lookups).toEqual(['hit peeked l2', 'miss never-stored']);
  });

  it('keeps what a peek read from L2 in L1, so the next peek costs no round trip', async () => {
    await a.cache.set('peeked-twice', 'v');
    // Subscribed after the write's bus message, which would otherwise race the peeks.
    const late = await createInstance(PREFIX, { namespace: 'app', clock });
    const layers: string[] = [];
    late.cache.on('hit', (e) => layers.push(e.layer));
    try {
      await late.cache.peek('peeked-twice');
      expect(await late.cache.peek('peeked-twice')).toEqual({ value: 'v', ageMs: 0 });
      expect(layers).toEqual(['l2', 'l1']);
    } finally {
      await late.close();
    }
  });

  it("peeks at this instance's memory alone with peekLocal, at once, reporting only what it answers", async () => {
    await a.cache.set('peeked-locally', 'v');
    // Subscribed after the write's bus message, which would otherwise race the peeks.
    const late = await createInstance(PREFIX, { namespace: 'app', clock });
    const lookups: string[] = [];
    late.cache.on('hit', (e) => lookups.push(`hit ${e.key} ${e.layer}`));
    late.cache.on('miss', (e) => lookups.push(`miss ${e.key}`));
    try {
      // In Redis only: memory cannot say, and says nothing.
      expect(late.cache.peekLocal('peeked-locally')).toBeUndefined();
      await late.cache.peek('peeked-locally');
      clock.advance(50);

      expect(late.cache.peekLocal('peeked-locally')).toEqual({ value: 'v', ageMs: 50 });
      expect(lookups).toEqual(['hit peeked-locally l2', 'hit peeked-locally l1']);
    } finally {
      await late.close();
    }
  });

  it('does not keep a peeked value in L1 when an invalidation overtook the read', async () => {
    const store = createRedisStore(a.client, { prefix: PREFIX });
    const answered = deferred();
    const release = deferred();
    // Reads L2 at once but answers only when released: the invalidation lands in between.
    const slowReads: CacheStore = {
      read: async (...args) => {
        const read = await store.read(...args);
        answered.resolve();
        await release.promise;
        return read;
      },
      write: (...args) => store.write(...args),
      releaseLease: (...args) => store.releaseLease(...args),
      delete: (...args) => store.delete(...args),
      invalidateTags: (...args) => store.invalidateTags(...args),
      clear: (...args) => store.clear(...args),
    };
    const reader = createCache({ namespace: 'app', l2: slowReads, clock });
    await a.cache.set('overtaken', 'old');
    const peeked = reader.peek('overtaken');
    await answered.promise;
    await reader.delete('overtaken');
    release.resolve();
    expect(await peeked).toEqual({ value: 'old', ageMs: 0 });
    expect(await reader.peek('overtaken')).toBeUndefined();
    reader.close();
  });

  it('sends Redis whole milliseconds for durations that parse to fractions (2.01 s is 2009.9999999999998 ms)', async () => {
    const fractional = await createInstance(PREFIX, {
      namespace: 'fractional',
      lease: true,
      leaseTtl: '2.01s',
      fenceWindow: '4.03s',
    });
    const l2Errors: unknown[] = [];
    fractional.cache.on('l2-error', (event) => l2Errors.push(event));
    try {
      await fractional.cache.getOrSet('k', async () => 'v', { tags: ['t'] });
      await fractional.cache.invalidateTags(['t']);
      await fractional.cache.delete('k');
      expect(l2Errors).toEqual([]);
    } finally {
      await fractional.close();
    }
  });

  it('isolates namespaces in L1 and in L2', async () => {
    await a.cache.set('same-key', 'app');
    expect(await other.cache.getOrSet('same-key', async () => 'other')).toBe('other');
    await other.cache.clear();
    expect(await b.cache.getOrSet('same-key', async () => 'reloaded')).toBe('app');
  });
});
