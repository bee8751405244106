import type { CacheOptions } from '@perfkit/cache';
import { ElevenLabsClient } from '@perfkit/external';
import { IndexesBusyError, TenantCountCache } from '@perfkit/queries';
import { applyIndexes, type IndexResult, startRollupTimer } from '@perfkit/queries/admin';
import { optimizedAgents } from '../agents/optimized-agents.js';
import { findUserIdByKey } from '../auth/api-key-auth.js';
import { cachedUserIdForKey } from '../auth/cached-auth.js';
import { createAppCaches } from '../cache/app-caches.js';
import { createCachedReads } from '../cache/cached-reads.js';
import { readPolicies } from '../cache/read-policies.js';
import { createInvalidator, listenAndInvalidate } from '../changes/invalidation.js';
import { optimizedDashboard } from '../dashboard/optimized-dashboard.js';
import { createReadRouter } from '../db/read-router.js';
import type { AppMode, ModeFactory, ModeResources } from './app-mode.js';

/** Overrides for tests: a cache clock and the Redis key prefix (default `perfkit:`). */
export interface OptimizedModeOptions {
  cacheClock?: CacheOptions['clock'];
  redisPrefix?: string;
}

/** Whatever the mode started, stopped in reverse order; a failure is logged and the rest still stop. */
type Stop = () => Promise<unknown> | unknown;

/**
 * The "after": the same contract through perfkit. Reads go through the data
 * cache (L1, plus Redis L2, bus and leases with `REDIS_URL`) to the batched
 * loaders on exact pre-aggregates, routed to a replica only once it has the
 * latest writes; agents' configs come from one shared ElevenLabs client in
 * deadline mode. On start it applies missing indexes, starts the rollup timer
 * (one instance at a time rolls up) and listens for changes to invalidate.
 *
 * @example
 * const mode = await createOptimizedMode(resources);
 */
export function optimizedModeFactory(options: OptimizedModeOptions = {}): ModeFactory {
  return (resources) => createOptimizedMode(resources, options);
}

async function createOptimizedMode(
  resources: ModeResources,
  options: OptimizedModeOptions,
): Promise<AppMode> {
  const { config, db, logger, monitor } = resources;
  const stops: Stop[] = [];
  const close = async () => {
    for (const stop of stops.reverse()) {
      try {
        await stop();
      } catch (error) {
        logger.warn({ err: error }, 'optimized mode: stopping a part failed');
      }
    }
  };

  try {
    await applyMissingIndexes(resources);

    const policies = readPolicies(config);
    const caches =
      config.cache === 'on'
        ? createAppCaches({
            redisUrl: config.redisUrl,
            redisPrefix: options.redisPrefix ?? 'perfkit:',
            authTtlMs: config.authCacheTtlMs,
            // A key's user must outlive every cached answer it may be served stale during a database failure.
            authStaleIfErrorMs: Math.max(...Object.values(policies).map((policy) => policy.staleIfErrorMs)),
            ...(options.cacheClock ? { clock: options.cacheClock } : {}),
          })
        : undefined;
    if (caches) {
      stops.push(() => caches.close());
      stops.push(monitor.watchCache(caches.data), monitor.watchCache(caches.elevenLabs));
    }
    const counts = caches ? new TenantCountCache() : undefined;

    const elevenLabs = new ElevenLabsClient({
      baseUrl: resources.elevenLabs.baseUrl,
      apiKey: resources.elevenLabs.apiKey,
      logger: logger.child({ component: 'elevenlabs' }),
      ...(caches ? { cache: caches.elevenLabs } : {}),
      // A config past its 5 fresh minutes is shown at once, marked stale, while it is refetched:
      // otherwise each expiry makes every request for that agent wait the budget (README).
      staleWhileRevalidate: '5m',
    });
    stops.push(monitor.watchElevenLabs(elevenLabs));
    // Background fetches outlive their responses; let them settle before the caches close.
    stops.push(() => elevenLabs.idle());

    const rollup = startRollupTimer(db, {
      intervalMs: config.rollupIntervalMs,
      onError: (error) => logger.warn({ err: error }, 'rollup failed; the next run retries'),
    });
    stops.push(() => rollup.stop());

    const invalidator = createInvalidator(caches, counts);
    const listener = await listenAndInvalidate(config.databaseUrl, invalidator, logger);
    stops.push(() => listener.close());

    const deps = {
      reads: createReadRouter({ primary: db, replica: resources.replica?.db }),
      cached: createCachedReads(caches?.data, policies),
      policies,
    };
    return {
      source: {
        userIdForKey: caches ? cachedUserIdForKey(caches.auth, db) : (key) => findUserIdByKey(db, key),
        ...optimizedDashboard(deps),
        ...optimizedAgents({ ...deps, elevenLabs, budgetMs: config.elevenLabsBudgetMs, counts }),
      },
      onWrite: (change) => invalidator.invalidate(change),
      readsServed: deps.reads.served,
      health: () => ({
        cache: caches?.tier ?? 'off',
        changeListener: listener.connected ? 'up' : 'down',
      }),
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

/**
 * Builds the declared indexes that are missing (CONCURRENTLY, one at a time); existing ones cost a
 * lookup. An instance starting while another builds them starts at once: its reads are exact without
 * them, and waiting could hold its start past any health check (a build on `large` takes minutes).
 */
async function applyMissingIndexes({ pool, logger }: ModeResources): Promise<void> {
  let results: IndexResult[];
  try {
    results = await applyIndexes(pool, { busyWaitMs: 0 });
  } catch (error) {
    if (!(error instanceof IndexesBusyError)) throw error;
    logger.info('another instance is applying the indexes; starting without waiting for it');
    return;
  }
  for (const result of results) {
    if (result.status === 'failed') logger.warn(result, 'index build failed; reads stay exact but slower');
    else if (result.status !== 'existing') logger.info(result, 'index built');
  }
}
