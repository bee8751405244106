import { type ChangeListener, listenForChanges, type TenantCountCache } from '@perfkit/queries';
import type { Logger } from 'pino';
import type { AppCaches } from '../cache/app-caches.js';
import { dataTags } from '../cache/cached-reads.js';
import type { DataChange } from '../modes/app-mode.js';

/** Drops what a change made wrong, on this instance and (through the cache bus) every other. */
export interface Invalidator {
  /** Invalidates the user's entries and counts; resolves once L2 and the bus have it. */
  invalidate(change: DataChange): Promise<void>;
  /**
   * Forgets every cached answer and count, here and (through L2 and the bus) on every instance: after
   * notifications may have been missed, no instance can tell which of them are stale.
   */
  forgetAll(): Promise<void>;
}

/**
 * The invalidator of the optimized mode's data cache and tenant counts.
 *
 * @example
 * await createInvalidator(caches, counts).invalidate({ userId: 7, agentIds: [42] });
 */
export function createInvalidator(
  caches: Pick<AppCaches, 'data'> | undefined,
  counts: TenantCountCache | undefined,
): Invalidator {
  return {
    async invalidate({ userId, agentIds }) {
      counts?.invalidate(userId);
      await caches?.data.invalidateTags([dataTags.user(userId), ...agentIds.map(dataTags.agent)]);
    },
    async forgetAll() {
      counts?.clear();
      // Not only L1: every instance's listener may have been down (a PostgreSQL restart), so nobody
      // invalidated L2 for the writes meanwhile, and L1 would refill from it. Without Redis this is L1.
      await caches?.data.clear();
    },
  };
}

/**
 * Listens for the database's change notifications (triggers on calls, leads
 * and agents, whoever wrote them) and invalidates on every one; after a lost
 * connection it forgets every cached answer (shared ones too), since
 * notifications sent meanwhile are gone.
 *
 * @example
 * const listener = await listenAndInvalidate(config.databaseUrl, invalidator, logger);
 * await listener.close();
 */
export function listenAndInvalidate(
  connectionString: string,
  invalidator: Invalidator,
  logger: Logger,
): Promise<ChangeListener> {
  return listenForChanges({
    connectionString,
    onChange: (change) => {
      invalidator
        .invalidate({ userId: change.userId, agentIds: [change.agentId] })
        .catch((error: unknown) => logger.warn({ err: error, change }, 'invalidation after a change failed'));
    },
    onReconnect: (info) => {
      invalidator
        .forgetAll()
        .then(() => logger.warn({ downMs: info.downMs }, 'change listener reconnected; caches cleared'))
        .catch((error: unknown) =>
          logger.warn({ err: error }, 'clearing the caches after a reconnect failed'),
        );
    },
    onError: (error) => logger.warn({ err: error }, 'change listener error'),
  });
}
