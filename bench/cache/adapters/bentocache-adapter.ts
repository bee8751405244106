import { BentoCache, bentostore } from 'bentocache';
import { memoryDriver } from 'bentocache/drivers/memory';
import { redisDriver } from 'bentocache/drivers/redis';
import { Redis } from 'ioredis';
import type { AdapterFactory } from './cache-adapter.js';

export const bentocacheAdapter: AdapterFactory = {
  name: 'bentocache',
  redis: 'layered',
  async create({ redisUrl, prefix }) {
    const client = redisUrl === undefined ? undefined : new Redis(redisUrl);
    const store = bentostore().useL1Layer(memoryDriver({ maxItems: 10_000 }));
    if (client) store.useL2Layer(redisDriver({ connection: client }));
    const bento = new BentoCache({
      default: 'main',
      prefix: prefix.replaceAll(':', '-'),
      stores: { main: store },
    });
    return {
      name: 'bentocache',
      getOrSet: (key, loader) => bento.getOrSet({ key, factory: loader, ttl: '1h' }),
      invalidate: async (key) => {
        await bento.delete({ key });
      },
      async close() {
        await bento.disconnect();
        client?.disconnect();
      },
    };
  },
};
