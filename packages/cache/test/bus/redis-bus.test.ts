import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { CacheL2Error } from '../../src/index.js';
import { createRedisBus } from '../../src/redis.js';
import { connectRedis, openRedis, REDIS_URL, waitFor } from '../support/redis-helpers.js';
import { describeCacheBusContract } from './cache-bus-contract.js';

const CHANNEL = `test:cache:redis-bus:${process.pid}:bus`;
const publisher = await openRedis();

afterAll(() => {
  publisher.disconnect();
});

describeCacheBusContract('RedisBus', async () => {
  const subscriber = await openRedis();
  const first = createRedisBus(publisher, { channel: CHANNEL, subscriber });
  const second = createRedisBus(publisher, { channel: CHANNEL });
  return {
    first,
    second,
    publishRaw: async (raw) => {
      await publisher.publish(CHANNEL, raw);
    },
    cut: async () => subscriber.disconnect(),
    restore: () => subscriber.connect(),
    cleanup: async () => {
      await Promise.all([first.close(), second.close()]);
      subscriber.disconnect();
    },
  };
});

describe('RedisBus', () => {
  it('rejects a publish at once while its connection is down', async () => {
    const down = connectRedis('redis://127.0.0.1:1');
    await waitFor(() => down.status === 'reconnecting');
    const bus = createRedisBus(down, { channel: CHANNEL });
    await expect(
      bus.publish({ namespace: 'n', origin: 'o', seq: 1, kind: 'keys', items: [] }),
    ).rejects.toBeInstanceOf(CacheL2Error);
    await bus.close();
    down.disconnect();
  });

  it('subscribes on a client made with lazyConnect, which waits for a first command', async () => {
    const lazy = new Redis(REDIS_URL, { lazyConnect: true });
    const bus = createRedisBus(lazy, { channel: CHANNEL });
    try {
      await waitFor(() => bus.connected);
    } finally {
      await bus.close();
      lazy.disconnect();
    }
  });
});
