import { LRUCache } from 'lru-cache';
import { type AdapterFactory, LoaderRegistry } from './cache-adapter.js';

/** lru-cache's own fetch(): memory only, the floor of what an async getOrSet can cost. */
export const lruCacheAdapter: AdapterFactory = {
  name: 'lru-cache fetch()',
  redis: 'none',
  async create() {
    const registry = new LoaderRegistry();
    const lru = new LRUCache<string, object>({
      max: 10_000,
      ttl: 3_600_000,
      fetchMethod: (key) => registry.load(key) as Promise<object>,
    });
    return {
      name: 'lru-cache fetch()',
      getOrSet: (key, loader) => {
        registry.remember(key, loader);
        return lru.fetch(key);
      },
      invalidate: async (key) => {
        lru.delete(key);
      },
      close: async () => undefined,
    };
  },
};
