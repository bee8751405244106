import KeyvRedis from '@keyv/redis';
import { createCache } from 'cache-manager';
import { Keyv } from 'keyv';
import type { AdapterFactory } from './cache-adapter.js';

const TTL_MS = 3_600_000;

export const cacheManagerAdapter: AdapterFactory = {
  name: 'cache-manager',
  redis: 'layered',
  async create({ redisUrl, prefix }) {
    const stores = [new Keyv()];
    if (redisUrl !== undefined) stores.push(new Keyv({ store: new KeyvRedis(redisUrl), namespace: prefix }));
    const cache = createCache({ stores });
    return {
      name: 'cache-manager',
      getOrSet: (key, loader) => cache.wrap(key, loader, TTL_MS),
      invalidate: async (key) => {
        await cache.del(key);
      },
      async close() {
        await cache.disconnect();
      },
    };
  },
};
