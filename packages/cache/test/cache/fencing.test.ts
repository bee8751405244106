import { manualClock } from '@perfkit/primitives/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CacheRefreshEvent } from '../../src/index.js';
import {
  createInstance,
  deferred,
  deleteKeys,
  gatedLoader,
  type Instance,
} from '../support/redis-helpers.js';

const PREFIX = `test:cache:fencing:${process.pid}:`;
const clock = manualClock();
let a: Instance;
let b: Instance;
let keyNo = 0;
const nextKey = () => `fence:${++keyNo}`;
const TAGS = { tags: ['user:42'] };

/** A loader that reads "the database" at once. */
const read = (db: { value: string }) => async () => db.value;

/**
 * Starts a load of `key` on `a` that reads 'pre', then changes the data to 'post' and runs `invalidate`
 * while the load certainly still runs (it cannot answer before the gate opens). Resolves with the load's
 * promise and the data.
 */
async function changeDuringLoad(key: string, invalidate: () => Promise<void>) {
  const db = { value: 'pre' };
  const gated = gatedLoader(() => db.value);
  const inFlight = a.cache.getOrSet(key, gated.loader, TAGS);
  await gated.started;
  db.value = 'post';
  await invalidate();
  gated.release();
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
        await a.cache.getOrSet(key, read(db), TAGS),
        await b.cache.getOrSet(key, read(db), TAGS),
      ];
      served += after.filter((v) => v === 'pre').length;
    }
    expect(served).toBe(0);
  });

  it('does not let a caller arriving after an invalidation join the load it overtook', async () => {
    const key = nextKey();
    const { inFlight, db } = await changeDuringLoad(key, () => a.cache.invalidateTags(['user:42']));
    expect(await a.cache.getOrSet(key, read(db), TAGS)).toBe('post');
    expect(await inFlight).toBe('pre');
  });

  it('rejects the late result of a load on one instance after another instance invalidated', async () => {
    const key = nextKey();
    const { inFlight, db } = await changeDuringLoad(key, () => b.cache.invalidateTags(['user:42']));
    expect(await inFlight).toBe('pre');
    expect(await b.cache.getOrSet(key, read(db), TAGS)).toBe('post');
    expect(await a.cache.getOrSet(key, read(db), TAGS)).toBe('post');
  });

  it('lets a delete or a newer set win over a load in flight', async () => {
    const deleted = nextKey();
    const { inFlight, db } = await changeDuringLoad(deleted, () => b.cache.delete(deleted));
    await inFlight;
    expect(await a.cache.getOrSet(deleted, read(db))).toBe('post');

    const overwritten = nextKey();
    const { inFlight: loadingAgain } = await changeDuringLoad(overwritten, () =>
      b.cache.set(overwritten, 'newer'),
    );
    expect(await loadingAgain).toBe('pre');
    expect(await a.cache.getOrSet(overwritten, read({ value: 'unused' }))).toBe('newer');
    expect(await b.cache.getOrSet(overwritten, read({ value: 'unused' }))).toBe('newer');
  });

  it('does not let an invalidation during an in-flight background refresh be overwritten', async () => {
    const key = nextKey();
    const opts = { ...TAGS, ttl: 1000, swr: 60_000 };
    const db = { value: 'old' };
    await a.cache.getOrSet(key, read(db), opts);
    clock.advance(2000);
    const refresh = gatedLoader(() => db.value);
    const refreshed = deferred<CacheRefreshEvent>();
    a.cache.on('refresh', refreshed.resolve);
    expect((await a.cache.getOrSetWithStatus(key, refresh.loader, opts)).status).toBe('stale');
    await refresh.started;
    db.value = 'post';
    await b.cache.invalidateTags(['user:42']);
    refresh.release();
    // The refresh is over (its result kept or fenced out) before anyone reads again.
    expect(await refreshed.promise).toMatchObject({ key });
    a.cache.off('refresh', refreshed.resolve);
    expect(await a.cache.getOrSet(key, read(db), opts)).toBe('post');
    expect(await b.cache.getOrSet(key, read(db), opts)).toBe('post');
  });
});
