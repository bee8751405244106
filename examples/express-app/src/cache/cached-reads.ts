import type { Cache, CacheStatus } from '@perfkit/cache';
import type { RequestTimer } from '@perfkit/monitor';
import type { CacheHeader, RenderedBody, Reply } from '../http/reply.js';
import type { ReadApi, ReadPolicy } from './read-policies.js';

/** A value with how the cache served it (absent when the cache is off). */
export interface Cached<T> {
  value: T;
  cache?: CacheHeader;
}

/** The optimized mode's reads through the data cache, or straight to the loader with `CACHE=off`. */
export interface CachedReads {
  /**
   * The value under `key` (which must start with the user's scope), loading it
   * on a miss; `tags` let writes and `NOTIFY` invalidate it.
   */
  get<T>(
    key: string,
    load: () => Promise<T>,
    options: { api: ReadApi; tags: string[]; timer: RequestTimer },
  ): Promise<Cached<T>>;
}

/** `X-Cache` knows hit, miss and stale; a value kept past its TTL because the database failed is stale too. */
const HEADER: Record<CacheStatus, CacheHeader> = {
  hit: 'hit',
  miss: 'miss',
  stale: 'stale',
  'stale-on-error': 'stale',
};

/**
 * Reads through `cache` with each API's windows, timing the lookup as the
 * `cache` section of `Server-Timing` (a miss includes its `db` section).
 *
 * @example
 * const reads = createCachedReads(caches.data, readPolicies(config));
 * const { value, cache } = await reads.get(`u${userId}:overview:30d:${day}`, load, { api: 'overview', tags: [`u${userId}`], timer });
 */
export function createCachedReads(
  cache: Cache | undefined,
  policies: Record<ReadApi, ReadPolicy>,
): CachedReads {
  if (!cache) return { get: async (_key, load) => ({ value: await load() }) };
  return {
    async get(key, load, { api, tags, timer }) {
      const policy = policies[api];
      const { value, status } = await timer.time('cache', () =>
        cache.getOrSetWithStatus(key, load, {
          ttl: policy.ttlMs,
          swr: policy.swrMs,
          staleIfError: policy.staleIfErrorMs,
          tags,
        }),
      );
      return { value, cache: HEADER[status] };
    },
  };
}

/** Cache keys, all scoped by the user first so no parameter can reach another tenant's entry. */
export const dataKeys = {
  overview: (userId: number, range: string, day: string) => `u${userId}:overview:${range}:${day}`,
  analytics: (userId: number, range: string, bucket: string, day: string) =>
    `u${userId}:analytics:${range}:${bucket}:${day}`,
  agentsPage: (userId: number, limit: number, after: { createdAt: string; id: number } | undefined) =>
    `u${userId}:agents:${limit}:${after ? `${after.createdAt}/${after.id}` : 'first'}`,
  agent: (userId: number, agentId: number) => `u${userId}:agent:${agentId}`,
};

/** Tags: every entry of a user carries `u<id>`; entries about one agent also `a<id>`. */
export const dataTags = {
  user: (userId: number) => `u${userId}`,
  agent: (agentId: number) => `a${agentId}`,
};

/**
 * The reply of a cached, rendered body under `policy`'s browser windows.
 *
 * @example
 * return cachedReply(await reads.get(key, render, options), policies.overview);
 */
export function cachedReply(rendered: Cached<RenderedBody>, policy: ReadPolicy): Reply {
  return {
    body: rendered.value,
    ...(rendered.cache ? { cache: rendered.cache } : {}),
    maxAgeSeconds: policy.browserMaxAgeSeconds,
    staleWhileRevalidateSeconds: policy.browserSwrSeconds,
  };
}
