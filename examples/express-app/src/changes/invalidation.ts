import { type ChangeListener, listenForChanges, type TenantCountCache } from '@perfkit/queries';
import type { Logger } from 'pino';
import type { AppCaches } from '../cache/app-caches.js';
import { dataTags } from '../cache/cached-reads.js';
import type { DataChange } from '../modes/app-mode.js';

/** Drops what a change made wrong, on this instance and (through the cache bus) every other. */
export interface Invalidator {
  /** Invalidates the user's entries and counts; resolves once L2 and the bus have it. */
  invalidate(change: DataChange): Promise<void>;
  /** Forgets everything this instance holds in memory (after notifications may have been missed). */
  flushLocal(): void;
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
    flushLocal() {
      counts?.clear();
      caches?.data.flushL1();
    },
  };
}

/**
 * Listens for the database's change notifications (triggers on calls, leads
 * and agents, whoever wrote them) and invalidates on every one; after a lost
 * connection it flushes this instance's memory, since notifications sent
 * meanwhile are gone.
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
      invalidator.flushLocal();
      logger.warn({ downMs: info.downMs }, 'change listener reconnected; local caches flushed');
    },
    onError: (error) => logger.warn({ err: error }, 'change listener error'),
  });
}
