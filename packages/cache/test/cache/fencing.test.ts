import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInstance, deleteKeys, type Instance, manualClock } from '../support/redis-helpers.js';

const PREFIX = `test:cache:fencing:${process.pid}:`;
const clock = manualClock();
let a: Instance;
let b: Instance;
let keyNo = 0;
const nextKey = () => `fence:${++keyNo}`;
const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const TAGS = { tags: ['user:42'] };

/** A loader that reads "the database" when called and answers after `ms`, like a slow query. */
function slowRead(db: { value: string }, ms = 60) {
  return async () => {
    const seen = db.value;
    await delay(ms);
    return seen;
  };
}

/**
 * Starts a slow load of `key` on `a` that reads 'pre', then changes the data to 'post' and runs
 * `invalidate` while the load is still in flight. Resolves with the load's promise and the data.
 */
async function changeDuringLoad(key: string, invalidate: () => Promise<void>, loadMs = 60) {
  const db = { value: 'pre' };
  const inFlight = a.cache.getOrSet(key, slowRead(db, loadMs), TAGS);
  await delay(20);
  db.value = 'post';
  await invalidate();
  return { inFlight, db };
}

beforeAll(async () => {
  [a, b] = await Promise.all([createInstance(PREFIX, { clock }), createInstance(PREFIX, { clock })]);
});
afterAll(async () => {
  await deleteKeys(a.client, PREFIX);
  await Promise.all([a.close(), b.close()]);
});

describe('fencing of loads in flight', () => {
  it('never serves the pre-invalidation value after an invalidation lands mid-load (20 of 20 trials)', async () => {
    let served = 0;
    for (let trial = 0; trial < 20; trial++) {
      const key = nextKey();
      const { inFlight, db } = await changeDuringLoad(key, () => a.cache.invalidateTags(['user:42']));
      await inFlight;
      const after = [
        await a.cache.getOrSet(key, slowRead(db), TAGS),
        await b.cache.getOrSet(key, slowRead(db), TAGS),
      ];
      served += after.filter((v) => v === 'pre').length;
    }
    expect(served).toBe(0);
  });

  it('does not let a caller arriving after an invalidation join the load it overtook', async () => {
    const key = nextKey();
    const { inFlight, db } = await changeDuringLoad(key, () => a.cache.invalidateTags(['user:42']));
    expect(await a.cache.getOrSet(key, slowRead(db), TAGS)).toBe('post');
    expect(await inFlight).toBe('pre');
  });

  it('rejects the late result of a load on one instance after another instance invalidated', async () => {
    const key = nextKey();
    const { inFlight, db } = await changeDuringLoad(key, () => b.cache.invalidateTags(['user:42']), 100);
    expect(await inFlight).toBe('pre');
    expect(await b.cache.getOrSet(key, slowRead(db, 1), TAGS)).toBe('post');
    expect(await a.cache.getOrSet(key, slowRead(db, 1), TAGS)).toBe('post');
  });

  it('lets a delete or a newer set win over a load in flight', async () => {
    const deleted = nextKey();
    const { inFlight, db } = await changeDuringLoad(deleted, () => b.cache.delete(deleted));
    await inFlight;
    expect(await a.cache.getOrSet(deleted, slowRead(db, 1))).toBe('post');

    const overwritten = nextKey();
    const loadingAgain = a.cache.getOrSet(overwritten, slowRead({ value: 'loaded' }));
    await delay(20);
    await b.cache.set(overwritten, 'newer');
    await loadingAgain;
    expect(await a.cache.getOrSet(overwritten, slowRead({ value: 'unused' }, 1))).toBe('newer');
    expect(await b.cache.getOrSet(overwritten, slowRead({ value: 'unused' }, 1))).toBe('newer');
  });

  it('does not let an invalidation during an in-flight background refresh be overwritten', async () => {
    const key = nextKey();
    const opts = { ...TAGS, ttl: 1000, swr: 60_000 };
    const db = { value: 'old' };
    await a.cache.getOrSet(key, slowRead(db, 1), opts);
    clock.advance(2000);
    expect((await a.cache.getOrSetWithStatus(key, slowRead(db, 80), opts)).status).toBe('stale');
    await delay(20);
    db.value = 'post';
    await b.cache.invalidateTags(['user:42']);
    await delay(120);
    expect(await a.cache.getOrSet(key, slowRead(db, 1), opts)).toBe('post');
    expect(await b.cache.getOrSet(key, slowRead(db, 1), opts)).toBe('post');
  });
});
