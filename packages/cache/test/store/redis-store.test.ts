import { afterAll, describe, expect, it } from 'vitest';
import { CacheL2Error } from '../../src/index.js';
import { createRedisStore } from '../../src/redis.js';
import { connectRedis, deleteKeys, openRedis, waitFor } from '../support/redis-helpers.js';
import { describeCacheStoreContract } from './cache-store-contract.js';

const PREFIX = `test:cache:redis-store:${process.pid}:`;
const client = await openRedis();

afterAll(async () => {
  await deleteKeys(client, PREFIX);
  client.disconnect();
});

describeCacheStoreContract('RedisStore', async () => ({
  store: createRedisStore(client, { prefix: PREFIX }),
  cleanup: async () => undefined,
}));

describe('RedisStore', () => {
  it('fails at once, without queueing, while its connection is down', async () => {
    const down = connectRedis('redis://127.0.0.1:1');
    await waitFor(() => down.status === 'reconnecting');
    const store = createRedisStore(down, { prefix: PREFIX });
    const started = performance.now();
    await expect(store.read('ns', 'k')).rejects.toBeInstanceOf(CacheL2Error);
    expect(performance.now() - started).toBeLessThan(50);
    down.disconnect();
  });

  it('queues a command while connecting for the first time', async () => {
    const fresh = connectRedis();
    const store = createRedisStore(fresh, { prefix: PREFIX });
    expect(fresh.status).not.toBe('ready');
    expect(await store.write('first', 'k', 'v', { ttlMs: 1000, tags: [] })).toBe(true);
    fresh.disconnect();
  });

  it('reads what another instance wrote after its clear, though it last saw the older generation', async () => {
    const [mine, theirs] = [
      createRedisStore(client, { prefix: PREFIX }),
      createRedisStore(client, { prefix: PREFIX }),
    ];
    await mine.write('moved', 'k', 'old', { ttlMs: 60_000, tags: [] });
    expect((await mine.read('moved', 'k')).payload).toBe('old');
    await theirs.clear('moved');
    expect((await mine.read('moved', 'k')).payload).toBeUndefined();
    await theirs.write('moved', 'k', 'new', { ttlMs: 60_000, tags: [] });
    expect((await mine.read('moved', 'k')).payload).toBe('new');
    const { fence } = await mine.read('moved', 'k');
    await theirs.clear('moved');
    expect(await mine.write('moved', 'k', 'late', { ttlMs: 60_000, tags: [], fence })).toBe(false);
  });

  it('refuses a load begun before Redis lost its data (a restart without persistence) over a newer write', async () => {
    const store = createRedisStore(client, { prefix: PREFIX });
    for (let i = 0; i < 20; i++) await store.delete('restarted', [`k${i}`], 1_000);
    const { fence } = await store.read('restarted', 'k'); // a load begins
    // The sequence's guarantee holds for fewer than one write per 100 µs since it started: 20 writes
    // then a restart within 2 ms would break it; 50 ms leaves a margin of 25 times.
    await new Promise((resolve) => setTimeout(resolve, 50));
    await deleteKeys(client, `${PREFIX}restarted:`); // Redis restarts empty
    expect(await store.write('restarted', 'k', 'new', { ttlMs: 60_000, tags: [] })).toBe(true);
    // Below 10^14: Lua, and so the scripts of every version, write it in full, not as 1.7e+13.
    expect(Number(await client.get(`${PREFIX}restarted:seq`))).toBeLessThan(1e14);
    expect(await store.write('restarted', 'k', 'old', { ttlMs: 60_000, tags: [], fence })).toBe(false);
    expect((await store.read('restarted', 'k')).payload).toBe('new');
  });

  it('keeps a tag in use to its live entries: expired ones leave its index on the next write', async () => {
    const store = createRedisStore(client, { prefix: PREFIX });
    const index = `${PREFIX}tagged:0:z:tenant:1`;
    for (let i = 0; i < 50; i++)
      await store.write('tagged', `short-${i}`, 'v', { ttlMs: 50, tags: ['tenant:1'] });
    expect(await client.zcard(index)).toBe(50);
    await new Promise((resolve) => setTimeout(resolve, 200)); // all fifty have expired
    await store.write('tagged', 'live', 'v', { ttlMs: 60_000, tags: ['tenant:1'] });
    expect(await client.zrange(index, '0', '-1')).toEqual(['live']);
    await store.invalidateTags('tagged', ['tenant:1'], 1_000);
    expect((await store.read('tagged', 'live')).payload).toBeUndefined();
  });

  it('still invalidates the entries a tag listed in the plain set of earlier versions', async () => {
    const store = createRedisStore(client, { prefix: PREFIX });
    await store.write('legacy', 'old', 'v', { ttlMs: 60_000, tags: [] });
    await client.sadd(`${PREFIX}legacy:0:t:tenant:1`, 'old');
    await store.invalidateTags('legacy', ['tenant:1'], 1_000);
    expect((await store.read('legacy', 'old')).payload).toBeUndefined();
  });

  it('polls for another holder’s value in one round trip', async () => {
    const store = createRedisStore(client, { prefix: PREFIX });
    const base = `${PREFIX}polled:`;
    await store.read('polled', 'k', { token: 'holder', ttlMs: 10_000 });
    const monitor = await client.monitor();
    const commands: string[] = [];
    // Lua's own calls are not round trips; other test files share this Redis, so only this namespace counts.
    monitor.on('monitor', (_time: string, args: string[], source: string) => {
      if (source !== 'lua' && args.some((arg) => arg.startsWith(base))) commands.push(args[0] ?? '');
    });
    const poll = await store.read('polled', 'k', { token: 'waiter', ttlMs: 10_000, polling: true });
    // MONITOR reports commands in the order Redis ran them: once this one shows, the poll's have.
    await client.get(`${base}done`);
    await waitFor(() => commands.includes('get'));
    monitor.disconnect();
    expect(poll).toMatchObject({ payload: undefined, leased: false });
    expect(commands.map((command) => command.toLowerCase())).toEqual(['evalsha', 'get']);
  });

  it('reloads its scripts after Redis forgot them', async () => {
    const store = createRedisStore(client, { prefix: PREFIX });
    await client.script('FLUSH');
    expect(await store.write('reload', 'k', 'v', { ttlMs: 1000, tags: [] })).toBe(true);
    expect((await store.read('reload', 'k')).payload).toBe('v');
  });
});
