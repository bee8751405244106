import { type Cache, type CacheBus, type CacheOptions, createCache } from '@perfkit/cache';
import { createRedisBus, createRedisStore } from '@perfkit/cache/redis';
import { Redis } from 'ioredis';

/** The optimized mode's caches; each namespace is invalidated and flushed on its own. */
export interface AppCaches {
  /** Rendered dashboard and agents replies, tagged by user and agent. */
  data: Cache;
  /** ElevenLabs agent configs, filled by the ElevenLabs client (its own namespace). */
  elevenLabs: Cache;
  /** API key hash → user id; in memory only, so no key material reaches Redis. */
  auth: Cache;
  /** `'redis'` when L2, bus and leases are on; `'memory'` otherwise. */
  readonly tier: 'redis' | 'memory';
  /** Closes the caches, the bus and the Redis connection, in that order. */
  close(): Promise<void>;
}

/** Options of {@link createAppCaches}. */
export interface AppCachesOptions {
  /** `REDIS_URL`; unset: memory-only caches. */
  redisUrl?: string | undefined;
  /** Prefix of every Redis key and of the bus channel, so apps can share a Redis. */
  redisPrefix: string;
  /** How long a lookup of a key→user stays valid. */
  authTtlMs: number;
  /**
   * How long past `authTtlMs` a key's user is still used while the database
   * fails (never for a key the database said it does not know), so cached
   * dashboards can be served stale during an outage. Default: 0.
   */
  authStaleIfErrorMs?: number;
  /** Time source of every cache. Default: the system clock. */
  clock?: CacheOptions['clock'];
}

/**
 * How long a request waits for another instance's load of its key (the lease
 * holder's value) before loading it itself: well inside the dashboards' 2 s
 * and the agents' 1 s budget, where the cache's default (10 s) is not. A
 * holder that died or whose value never lands then costs a second, not ten.
 */
const LEASE_WAIT_MS = 1_000;

/**
 * Creates the optimized mode's caches: L1 always; with `redisUrl`, Redis as L2
 * with a shared invalidation bus and leases, so N instances missing one key
 * run one loader. Until Redis first answers, the caches wait for it up to
 * their `l2ConnectTimeout`, so the lease holds from the first request; if it
 * never answers they serve from memory and the loaders.
 *
 * @example
 * const caches = createAppCaches({ redisUrl: process.env.REDIS_URL, redisPrefix: 'perfkit:', authTtlMs: 30_000 });
 */
export function createAppCaches(options: AppCachesOptions): AppCaches {
  const clock = options.clock ? { clock: options.clock } : {};
  const auth = createCache({
    namespace: 'auth',
    ttl: options.authTtlMs,
    staleIfError: options.authStaleIfErrorMs ?? 0,
    jitter: 0,
    ...clock,
  });
  if (!options.redisUrl) {
    const data = createCache({ namespace: 'data', ...clock });
    const elevenLabs = createCache({ namespace: 'elevenlabs', ...clock });
    return {
      data,
      elevenLabs,
      auth,
      tier: 'memory',
      async close() {
        for (const cache of [data, elevenLabs, auth]) cache.close();
      },
    };
  }

  const redis = new Redis(options.redisUrl, { maxRetriesPerRequest: 1 });
  // Without a listener an 'error' event would crash the process; the caches fail open instead.
  redis.on('error', () => undefined);
  const bus: CacheBus = createRedisBus(redis, { channel: `${options.redisPrefix}cache:bus` });
  const l2 = createRedisStore(redis, { prefix: `${options.redisPrefix}cache:` });
  const shared = { l2, bus, lease: true, leaseWait: LEASE_WAIT_MS, ...clock };
  const data = createCache({ namespace: 'data', ...shared });
  const elevenLabs = createCache({ namespace: 'elevenlabs', ...shared });
  return {
    data,
    elevenLabs,
    auth,
    tier: 'redis',
    async close() {
      for (const cache of [data, elevenLabs, auth]) cache.close();
      await bus.close();
      redis.disconnect();
    },
  };
}
