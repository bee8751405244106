import type { AppConfig } from '../config.js';

/** How one read API is cached, server-side and in the browser. */
export interface ReadPolicy {
  /** Fresh in the server cache (push invalidation keeps it exact; this bounds a missed notification). */
  ttlMs: number;
  /** After `ttlMs`, served as `stale` while one background refresh runs. */
  swrMs: number;
  /** After `ttlMs`, served when the database fails. */
  staleIfErrorMs: number;
  /** `Cache-Control: private, max-age`: how long a browser reuses a body without asking. */
  browserMaxAgeSeconds: number;
  /** `Cache-Control: stale-while-revalidate`. */
  browserSwrSeconds: number;
}

/**
 * The windows of each read API; the app README gives the reasoning. Writes
 * and `NOTIFY` invalidate entries the moment data changes, so the TTLs bound
 * only a missed notification; keys carry the window's UTC day, so a new day
 * never reads yesterday's entry.
 */
export const READ_POLICIES = {
  overview: {
    ttlMs: 60_000,
    swrMs: 5 * 60_000,
    staleIfErrorMs: 60 * 60_000,
    browserMaxAgeSeconds: 5,
    browserSwrSeconds: 30,
  },
  analytics: {
    ttlMs: 5 * 60_000,
    swrMs: 30 * 60_000,
    staleIfErrorMs: 60 * 60_000,
    browserMaxAgeSeconds: 30,
    browserSwrSeconds: 300,
  },
  agents: {
    ttlMs: 60_000,
    swrMs: 5 * 60_000,
    staleIfErrorMs: 60 * 60_000,
    browserMaxAgeSeconds: 5,
    browserSwrSeconds: 30,
  },
} as const satisfies Record<string, ReadPolicy>;

/** A read API with a policy. */
export type ReadApi = keyof typeof READ_POLICIES;

/**
 * The policies with `CACHE_TTL_MS` / `CACHE_SWR_MS` / `CACHE_STALE_IF_ERROR_MS` applied to every API.
 *
 * @example
 * readPolicies(config).overview.ttlMs; // 60000 unless overridden
 */
export function readPolicies(config: Pick<AppConfig, 'cacheWindows'>): Record<ReadApi, ReadPolicy> {
  const { ttlMs, swrMs, staleIfErrorMs } = config.cacheWindows;
  const apply = (policy: ReadPolicy): ReadPolicy => ({
    ...policy,
    ...(ttlMs === undefined ? {} : { ttlMs }),
    ...(swrMs === undefined ? {} : { swrMs }),
    ...(staleIfErrorMs === undefined ? {} : { staleIfErrorMs }),
  });
  return {
    overview: apply(READ_POLICIES.overview),
    analytics: apply(READ_POLICIES.analytics),
    agents: apply(READ_POLICIES.agents),
  };
}
