import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CacheStore } from '../../src/index.js';

/** What a store implementation's test file provides to the shared contract suite. */
export interface StoreFixture {
  store: CacheStore;
  cleanup(): Promise<void>;
}

const FENCE_WINDOW = 60_000;
const write = (store: CacheStore, ns: string, key: string, payload: string, extra: object = {}) =>
  store.write(ns, key, payload, { ttlMs: 60_000, tags: [], ...extra });

/** The behaviour every `CacheStore` must show; run it from each implementation's test file. */
export function describeCacheStoreContract(name: string, setup: () => Promise<StoreFixture>): void {
  describe(`${name} (CacheStore contract)`, () => {
    let fixture: StoreFixture;
    let store: CacheStore;
    let ns = 0;
    const namespace = () => `contract${++ns}`;

    beforeAll(async () => {
      fixture = await setup();
      store = fixture.store;
    });
    afterAll(() => fixture.cleanup());

    it('reads nothing for a missing key, with a fence for a later write', async () => {
      const read = await store.read(namespace(), 'k');
      expect(read.payload).toBeUndefined();
      expect(typeof read.fence).toBe('number');
      expect(read.leased).toBe(false);
    });

    it('reads back what was written, per namespace', async () => {
      const [a, b] = [namespace(), namespace()];
      expect(await write(store, a, 'k', '{"v":1}')).toBe(true);
      expect((await store.read(a, 'k')).payload).toBe('{"v":1}');
      expect((await store.read(b, 'k')).payload).toBeUndefined();
    });

    it('accepts a fenced write when nothing touched the key since the fence', async () => {
      const ns = namespace();
      const { fence } = await store.read(ns, 'k');
      expect(await write(store, ns, 'k', 'loaded', { fence, tags: ['user:1'] })).toBe(true);
      expect((await store.read(ns, 'k')).payload).toBe('loaded');
    });

    it('rejects a fenced write after a delete, an invalidation of its tag, a newer set or a clear', async () => {
      const cases: [string, (ns: string) => Promise<unknown>][] = [
        ['delete', (ns) => store.delete(ns, ['k'], FENCE_WINDOW)],
        ['tag', (ns) => store.invalidateTags(ns, ['user:1'], FENCE_WINDOW)],
        ['set', (ns) => write(store, ns, 'k', 'newer')],
        ['clear', (ns) => store.clear(ns)],
      ];
      for (const [label, interfere] of cases) {
        const ns = namespace();
        const { fence } = await store.read(ns, 'k');
        await interfere(ns);
        const accepted = await write(store, ns, 'k', 'late', { fence, tags: ['user:1'] });
        expect({ label, accepted }).toEqual({ label, accepted: false });
        expect((await store.read(ns, 'k')).payload).not.toBe('late');
      }
    });

    it('deletes every entry of an invalidated tag and nothing else', async () => {
      const ns = namespace();
      await write(store, ns, 'a', 'A', { tags: ['user:1'] });
      await write(store, ns, 'b', 'B', { tags: ['user:1', 'agent:7'] });
      await write(store, ns, 'c', 'C', { tags: ['user:2'] });
      await store.invalidateTags(ns, ['user:1'], FENCE_WINDOW);
      const payloads = await Promise.all(['a', 'b', 'c'].map(async (k) => (await store.read(ns, k)).payload));
      expect(payloads).toEqual([undefined, undefined, 'C']);
    });

    it('clears one namespace and leaves the others', async () => {
      const [a, b] = [namespace(), namespace()];
      await write(store, a, 'k', 'A');
      await write(store, b, 'k', 'B');
      await store.clear(a);
      expect((await store.read(a, 'k')).payload).toBeUndefined();
      expect((await store.read(b, 'k')).payload).toBe('B');
      expect(await write(store, a, 'k', 'again')).toBe(true);
      expect((await store.read(a, 'k')).payload).toBe('again');
    });

    it('grants a missing key’s lease to one reader until released or written', async () => {
      const ns = namespace();
      const lease = (token: string) => ({ token, ttlMs: 10_000 });
      expect((await store.read(ns, 'k', lease('a'))).leased).toBe(true);
      expect((await store.read(ns, 'k', lease('b'))).leased).toBe(false);
      await store.releaseLease(ns, 'k', 'b');
      expect((await store.read(ns, 'k', lease('b'))).leased).toBe(false);
      await store.releaseLease(ns, 'k', 'a');
      const second = await store.read(ns, 'k', lease('b'));
      expect(second.leased).toBe(true);
      await write(store, ns, 'k', 'value', { fence: second.fence, leaseToken: 'b' });
      await store.delete(ns, ['k'], FENCE_WINDOW);
      expect((await store.read(ns, 'k', lease('c'))).leased).toBe(true);
    });

    it('answers a waiter’s polling read as any read: nothing while leased, then the value or the lease', async () => {
      const ns = namespace();
      const poll = { token: 'b', ttlMs: 10_000, polling: true };
      expect((await store.read(ns, 'k', { token: 'a', ttlMs: 10_000 })).leased).toBe(true);
      expect(await store.read(ns, 'k', poll)).toMatchObject({ payload: undefined, leased: false });
      await write(store, ns, 'k', 'value', { leaseToken: 'a' });
      expect(await store.read(ns, 'k', poll)).toMatchObject({ payload: 'value', leased: false });
      await store.delete(ns, ['k'], FENCE_WINDOW);
      expect((await store.read(ns, 'k', poll)).leased).toBe(true);
    });

    it('hands a lease taken before an invalidation of its key or of the reader’s tags to the next reader', async () => {
      const ns = namespace();
      const lease = (token: string, tags: string[] = []) => ({ token, ttlMs: 10_000, tags });
      expect((await store.read(ns, 'k', lease('a', ['t']))).leased).toBe(true);
      expect((await store.read(ns, 'k', lease('b', ['t']))).leased).toBe(false);
      await store.invalidateTags(ns, ['other'], FENCE_WINDOW);
      expect((await store.read(ns, 'k', lease('b', ['t']))).leased).toBe(false);
      await store.invalidateTags(ns, ['t'], FENCE_WINDOW);
      const takenOver = await store.read(ns, 'k', lease('b', ['t']));
      expect(takenOver.leased).toBe(true);
      // The first holder neither releases nor writes over its successor's lease.
      await store.releaseLease(ns, 'k', 'a');
      expect(await write(store, ns, 'k', 'a’s', { fence: 0, leaseToken: 'a', tags: ['t'] })).toBe(false);
      expect((await store.read(ns, 'k', lease('c', ['t']))).leased).toBe(false);
      await store.delete(ns, ['k'], FENCE_WINDOW);
      expect((await store.read(ns, 'k', lease('c'))).leased).toBe(true);
      expect((await store.read(ns, 'k', lease('b'))).leased).toBe(false);
    });
  });
}
