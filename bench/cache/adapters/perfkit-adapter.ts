import * as workspaceCache from '@perfkit/cache';
import * as workspaceRedis from '@perfkit/cache/redis';
import { Redis } from 'ioredis';
import type { AdapterFactory } from './cache-adapter.js';

/** The two entry points of one version of @perfkit/cache. */
export interface PerfkitModules {
  cache: Pick<typeof workspaceCache, 'createCache'>;
  redis: Pick<typeof workspaceRedis, 'createRedisBus' | 'createRedisStore'>;
}

/** perfkit as the README configures it: Redis as L2, the bus and the lease on. */
export function perfkitAdapterOf(name: string, { cache: lib, redis }: PerfkitModules): AdapterFactory {
  return {
    name,
    redis: 'layered',
    async create({ redisUrl, prefix }) {
      const client = redisUrl === undefined ? undefined : new Redis(redisUrl, { maxRetriesPerRequest: 1 });
      client?.on('error', () => undefined);
      const bus = client && redis.createRedisBus(client, { channel: `${prefix}bus` });
      const cache = lib.createCache({
        ttl: '1h',
        l2: client && redis.createRedisStore(client, { prefix }),
        bus,
        lease: true,
      });
      if (client) await waitReady(() => client.status === 'ready' && bus?.connected === true);
      return {
        name,
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
}

/** The working tree's perfkit. */
export const perfkitAdapter = perfkitAdapterOf('perfkit', { cache: workspaceCache, redis: workspaceRedis });

async function waitReady(ready: () => boolean): Promise<void> {
  while (!ready()) await new Promise((resolve) => setTimeout(resolve, 5));
}
