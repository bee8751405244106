import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CacheBusEvent, CacheEvictEvent } from '../../src/index.js';
import { MALFORMED_MESSAGES } from '../bus/cache-bus-contract.js';
import { createInstance, deleteKeys, type Instance, waitFor } from '../support/redis-helpers.js';

const PREFIX = `test:cache:tags:${process.pid}:`;
let a: Instance;
let b: Instance;
let keyNo = 0;
const nextKey = () => `overview:user:42:n:${++keyNo}`;

beforeAll(async () => {
  [a, b] = await Promise.all([createInstance(PREFIX), createInstance(PREFIX)]);
});
afterAll(async () => {
  await deleteKeys(a.client, PREFIX);
  await Promise.all([a.close(), b.close()]);
});

/** Loads `key` into both instances' L1 and returns a loader that reports whether it ran. */
async function warmBoth(key: string, tags: string[]) {
  await a.cache.getOrSet(key, async () => 'old', { tags });
  expect(await b.cache.getOrSetWithStatus(key, async () => 'unused', { tags })).toEqual({
    value: 'old',
    status: 'hit',
  });
}

function evictionsOf(instance: Instance): CacheEvictEvent[] {
  const seen: CacheEvictEvent[] = [];
  instance.cache.on('evict', (event) => seen.push(event));
  return seen;
}

describe('tag invalidation across instances', () => {
  it('invalidates a tag in L2 and in every instance’s L1', async () => {
    const key = nextKey();
    const other = nextKey();
    await warmBoth(key, ['user:42', 'agent:7']);
    await warmBoth(other, ['user:43']);
    const evictedInB = evictionsOf(b);
    await a.cache.invalidateTags(['agent:7']);
    await waitFor(() => evictedInB.some((e) => e.key === key && e.reason === 'invalidated'));
    expect(await a.cache.getOrSet(key, async () => 'new-a')).toBe('new-a');
    expect(await b.cache.getOrSet(key, async () => 'new-b')).toBe('new-a');
    expect(await b.cache.getOrSetWithStatus(other, async () => 'unused')).toEqual({
      value: 'old',
      status: 'hit',
    });
  });

  it('propagates delete and clear to the other instances’ L1', async () => {
    const key = nextKey();
    await warmBoth(key, []);
    const evictedInB = evictionsOf(b);
    await a.cache.delete(key);
    await waitFor(() => evictedInB.some((e) => e.key === key && e.reason === 'deleted'));
    expect(await b.cache.getOrSet(key, async () => 'after-delete')).toBe('after-delete');
    await a.cache.clear();
    await waitFor(() => evictedInB.some((e) => e.key === key && e.reason === 'flushed'));
    expect(await b.cache.getOrSet(key, async () => 'after-clear')).toBe('after-clear');
  });

  it('does not serve data older than an invalidation sent while its bus connection was down', async () => {
    const key = nextKey();
    await warmBoth(key, ['user:42']);
    const busEvents: CacheBusEvent['state'][] = [];
    b.cache.on('bus', (event) => busEvents.push(event.state));
    b.subscriber.disconnect();
    await waitFor(() => busEvents.includes('disconnected'));
    await a.cache.invalidateTags(['user:42']);
    expect(await b.cache.getOrSet(key, async () => 'fresh', { tags: ['user:42'] })).toBe('fresh');
    await b.subscriber.connect();
    await waitFor(() => busEvents.includes('connected'));
    expect(busEvents).toEqual(['disconnected', 'connected', 'flushed']);
    expect(b.cache.stats().bus).toBe('connected');
    expect(b.cache.stats().l1Entries).toBe(0);
  });

  it('flushes L1 when it sees a gap in another instance’s messages', async () => {
    const key = nextKey();
    await warmBoth(key, []);
    const busEvents: CacheBusEvent['state'][] = [];
    b.cache.on('bus', (event) => busEvents.push(event.state));
    const send = (seq: number) =>
      a.client.publish(
        `${PREFIX}bus`,
        JSON.stringify({ namespace: 'default', origin: 'lossy', seq, kind: 'keys', items: ['unrelated'] }),
      );
    await send(1);
    await send(3);
    await waitFor(() => busEvents.includes('flushed'));
    expect(busEvents).toEqual(['gap', 'flushed']);
    expect(await b.cache.getOrSetWithStatus(key, async () => 'unused')).toEqual({
      value: 'old',
      status: 'hit',
    });
    expect(b.cache.stats().l1Entries).toBe(1);
  });

  it('ignores garbage published on its channel, reports it, keeps L1 and still applies the next invalidation', async () => {
    // Instances of their own: earlier tests left gaps in what a and b saw of each other.
    const [sender, receiver] = await Promise.all([createInstance(PREFIX), createInstance(PREFIX)]);
    try {
      const key = nextKey();
      await sender.cache.set(key, 'old', { tags: ['user:42'] });
      expect(await receiver.cache.getOrSet(key, async () => 'unused')).toBe('old');
      const busEvents: CacheBusEvent[] = [];
      receiver.cache.on('bus', (event) => busEvents.push(event));
      const evicted = evictionsOf(receiver);

      for (const [raw] of MALFORMED_MESSAGES) await sender.client.publish(`${PREFIX}bus`, raw);
      await waitFor(() => busEvents.length === MALFORMED_MESSAGES.length);
      expect(busEvents.map((e) => e.state)).toEqual(MALFORMED_MESSAGES.map(() => 'rejected'));
      expect(busEvents[0]?.error).toMatchObject({ code: 'PERFKIT_CACHE_MALFORMED_BUS_MESSAGE' });
      expect(await receiver.cache.getOrSetWithStatus(key, async () => 'unused')).toEqual({
        value: 'old',
        status: 'hit',
      });

      await sender.cache.invalidateTags(['user:42']);
      await waitFor(() => evicted.length > 0);
      expect(evicted).toEqual([expect.objectContaining({ key, reason: 'invalidated' })]);
      expect(await receiver.cache.getOrSet(key, async () => 'fresh', { tags: ['user:42'] })).toBe('fresh');
    } finally {
      await Promise.all([sender.close(), receiver.close()]);
    }
  });

  it('lets the app flush one instance’s L1 after it lost its LISTEN connection', async () => {
    const key = nextKey();
    await warmBoth(key, []);
    b.cache.flushL1();
    expect(b.cache.stats().l1Entries).toBe(0);
  });
});
