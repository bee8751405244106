import { createCache } from '@perfkit/cache';
import { createRedisBus, createRedisStore } from '@perfkit/cache/redis';
import { Redis } from 'ioredis';
import type { AdapterFactory } from './cache-adapter.js';

export const perfkitAdapter: AdapterFactory = {
  name: 'perfkit',
  redis: 'layered',
  async create({ redisUrl, prefix }) {
    const client = redisUrl === undefined ? undefined : new Redis(redisUrl, { maxRetriesPerRequest: 1 });
    client?.on('error', () => undefined);
    const bus = client && createRedisBus(client, { channel: `${prefix}bus` });
    const cache = createCache({
      ttl: '1h',
      l2: client && createRedisStore(client, { prefix }),
      bus,
      lease: true,
    });
    if (client) await waitReady(() => client.status === 'ready' && bus?.connected === true);
    return {
      name: 'perfkit',
      getOrSet: (key, loader) => cache.getOrSet(key, loader),
      invalidate: (key) => cache.delete(key),
      async close() {
        cache.close();
        await bus?.close();
        client?.disconnect();
      },
    };
  },
};

async function waitReady(ready: () => boolean): Promise<void> {
  while (!ready()) await new Promise((resolve) => setTimeout(resolve, 5));
}
