import { createCache } from 'async-cache-dedupe';
import { Redis } from 'ioredis';
import { type AdapterFactory, LoaderRegistry } from './cache-adapter.js';

/** async-cache-dedupe has one tier: memory, or Redis instead of memory. */
export const asyncCacheDedupeAdapter: AdapterFactory = {
  name: 'async-cache-dedupe',
  redis: 'only',
  async create({ redisUrl, prefix }) {
    const client = redisUrl === undefined ? undefined : new Redis(redisUrl);
    const registry = new LoaderRegistry();
    const storage = client
      ? ({ type: 'redis', options: { client } } as const)
      : ({ type: 'memory', options: { size: 10_000 } } as const);
    const cache = createCache({ ttl: 3600, storage }).define('load', (key: string) =>
      registry.load(`${prefix}${key}`),
    );
    return {
      name: client ? 'async-cache-dedupe (redis)' : 'async-cache-dedupe',
      getOrSet: (key, loader) => {
        registry.remember(`${prefix}${key}`, loader);
        return cache.load(key);
      },
      invalidate: (key) => cache.clear('load', key),
      async close() {
        client?.disconnect();
      },
    };
  },
};
