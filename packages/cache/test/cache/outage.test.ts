import { manualClock } from '@perfkit/primitives/testing';
import { type PrivateRedis, startPrivateRedis, startTcpProxy } from '@perfkit/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { CacheL2ErrorEvent } from '../../src/index.js';
import { createInstance, gatedLoader, type Instance, waitFor } from '../support/redis-helpers.js';

const PREFIX = 'test:cache:outage:';
const L2_TIMEOUT = 50;
const MARGIN = 750;
const OPTIONS = { l2Timeout: L2_TIMEOUT, circuitThreshold: 2, circuitCooldown: '10s', ttl: '1h' } as const;
const TAGS = { tags: ['user:42'] };

const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);
let redis: PrivateRedis;
let open: Instance[] = [];

async function instance(clock = manualClock()): Promise<Instance & { clock: typeof clock }> {
  // A clock without `sleep`: it decides the circuit's cool-down, while the L2 timeouts run on real time
  // against a really stalled or killed Redis (this also covers clocks of that older shape).
  const created = await createInstance(PREFIX, { ...OPTIONS, clock: { now: clock.now } }, redis.url);
  open.push(created);
  return { ...created, clock };
}

/** Runs `call` and returns how long it took to settle, asserting it resolved. */
async function timed<T>(call: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  const value = await call();
  return { value, ms: performance.now() - started };
}

beforeAll(() => {
  process.on('unhandledRejection', onUnhandled);
});
afterAll(() => {
  process.off('unhandledRejection', onUnhandled);
});
afterEach(async () => {
  await Promise.all(open.map((i) => i.close()));
  open = [];
  await redis.stop();
});

describe('Redis down or slow', () => {
  it('resolves every call within the L2 timeout plus the loader’s time after Redis is killed', async () => {
    redis = await startPrivateRedis();
    const a = await instance();
    const errors: CacheL2ErrorEvent[] = [];
    a.cache.on('l2-error', (e) => errors.push(e));
    await a.cache.getOrSet('warm', async () => 'cached', TAGS);
    await redis.stop();

    const calls: (() => Promise<unknown>)[] = [
      () => a.cache.getOrSet('warm', async () => 'reloaded', TAGS),
      () => a.cache.getOrSet('cold', async () => 'loaded', TAGS),
      () => a.cache.getOrSetWithStatus('cold2', async () => 'loaded'),
      () => a.cache.peek('warm'),
      () => a.cache.set('k', 'v'),
      () => a.cache.delete('k'),
      () => a.cache.invalidateTags(['user:42']),
      () => a.cache.clear(),
    ];
    for (const call of calls) {
      const { ms } = await timed(call);
      // Writes that invalidate wait at most for L2 and then for the bus publish.
      expect(ms).toBeLessThan(2 * L2_TIMEOUT + MARGIN);
    }
    expect(await a.cache.getOrSet('after', async () => 'from-loader')).toBe('from-loader');
    expect(errors.length).toBeGreaterThan(0);
    expect(a.cache.stats().l2).toBe('open');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(unhandled).toEqual([]);
  });

  it('gives up on a stalled Redis at the L2 timeout and serves from L1 and the loader', async () => {
    redis = await startPrivateRedis();
    const a = await instance();
    await a.cache.getOrSet('warm', async () => 'cached');
    redis.freeze();
    const cold = await timed(() => a.cache.getOrSet('cold', async () => 'loaded'));
    expect(cold.value).toBe('loaded');
    expect(cold.ms).toBeLessThan(L2_TIMEOUT + MARGIN);
    await a.cache.getOrSet('cold-2', async () => 'loaded');
    expect(a.cache.stats().l2).toBe('open');
    const warm = await timed(() => a.cache.getOrSet('warm', async () => 'reloaded'));
    expect(warm).toMatchObject({ value: 'cached' });
    expect(warm.ms).toBeLessThan(MARGIN);
    redis.thaw();
  });

  it('distrusts everything L2 held before an outage in which invalidations were lost, and flushes L1', async () => {
    redis = await startPrivateRedis();
    const a = await instance();
    const bystander = await instance();
    const db = { value: 'old' };
    const load = async () => db.value;
    await a.cache.getOrSet('overview', load, TAGS);
    await a.cache.getOrSet('other', load);

    redis.freeze();
    db.value = 'new';
    // PostgreSQL NOTIFY reaches the app, which invalidates; L2 cannot hear it.
    await a.cache.invalidateTags(['user:42']);
    expect(await a.cache.getOrSet('overview', load, TAGS)).toBe('new');
    await a.cache.getOrSet('cold', load);
    expect(a.cache.stats().l2).toBe('open');
    redis.thaw();

    a.clock.advance(10_000);
    expect(await a.cache.getOrSetWithStatus('probe', load)).toEqual({ value: 'new', status: 'miss' });
    expect(a.cache.stats().l2).toBe('closed');
    expect(a.cache.stats().l1Entries).toBeLessThanOrEqual(1);
    expect(await bystander.cache.getOrSet('overview', load, TAGS)).toBe('new');
    expect(await bystander.cache.getOrSetWithStatus('other', load)).toEqual({ value: 'new', status: 'miss' });
  });

  it('has every instance flush its memory when L2 is cleared after an outage, not only the one that recovered', async () => {
    redis = await startPrivateRedis();
    let down = false;
    const clock = manualClock();
    const a = await createInstance(PREFIX, { ...OPTIONS, clock: { now: clock.now } }, redis.url, {
      down: () => down,
      store: ['invalidateTags'],
      bus: ['publish'],
    });
    open.push(a);
    const b = await instance();
    const db = { value: 'old' };
    const load = async () => db.value;
    await a.cache.getOrSet('overview', load, TAGS);
    expect(await b.cache.getOrSet('overview', load, TAGS)).toBe('old'); // b keeps it in memory

    db.value = 'new';
    down = true; // a alone loses Redis: its invalidation reaches neither L2 nor the bus
    await a.cache.invalidateTags(['user:42']);
    down = false;
    clock.advance(10_000);
    await a.cache.getOrSet('probe', load); // a clears L2 (a generation bump) before trusting it again

    await waitFor(() => b.cache.stats().l1Entries === 0);
    expect(await b.cache.getOrSet('overview', load, TAGS)).toBe('new');
  });

  it('clears L2 as soon as Redis is back, so a load spanning a restart cannot leave its old value there', async () => {
    redis = await startPrivateRedis(); // nothing on disk: a restart forgets every fence
    // a's bus reaches Redis through a proxy, so its reconnection can lag its store's, as it may in production.
    const proxy = await startTcpProxy({ host: '127.0.0.1', port: Number(new URL(redis.url).port) });
    try {
      const clock = manualClock();
      const urls = { store: redis.url, bus: `redis://127.0.0.1:${proxy.port}` };
      const a = await createInstance(PREFIX, { ...OPTIONS, clock: { now: clock.now } }, urls);
      open.push(a);
      const [writer, reader] = [await instance(), await instance()];
      const db = { value: 'old' };
      const slow = gatedLoader(() => db.value);
      const loading = a.cache.getOrSet('overview', slow.loader, TAGS);
      await slow.started; // a has read 'old' and will store it

      await redis.kill();
      db.value = 'new';
      // One failed invalidation, under the circuit's threshold; the writer then stays idle.
      await writer.cache.invalidateTags(['user:42']);
      const releaseBus = proxy.holdReplies(); // a's bus stays down: its memory is not flushed yet
      await redis.restart();
      await waitFor(() => a.client.status === 'ready' && writer.cache.stats().bus === 'connected');
      slow.release();
      expect(await loading).toBe('old'); // written to L2 on its way
      releaseBus();

      // Before: the writer cleared L2 only at its own next call; until then every instance read 'old'.
      const load = async () => db.value;
      let seen = await reader.cache.getOrSet('overview', load, TAGS);
      const until = Date.now() + 5_000;
      while (seen !== 'new' && Date.now() < until) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        seen = await reader.cache.getOrSet('overview', load, TAGS);
      }
      expect(seen).toBe('new');
    } finally {
      await proxy.close();
    }
  });
});
