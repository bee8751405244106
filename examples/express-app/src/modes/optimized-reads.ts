import type { RequestTimer } from '@perfkit/monitor';
import type { Database } from '@perfkit/queries';
import type { Kysely } from 'kysely';
import type { CachedReads } from '../cache/cached-reads.js';
import type { ReadApi, ReadPolicy } from '../cache/read-policies.js';
import type { ReadRouter } from '../db/read-router.js';

/** What the optimized read APIs share. */
export interface OptimizedReadDeps {
  reads: ReadRouter;
  cached: CachedReads;
  policies: Record<ReadApi, ReadPolicy>;
}

/**
 * Runs a read through the router, timed as the `db` section of `Server-Timing`.
 *
 * @example
 * const data = await timedRead(deps.reads, scope.timer, (db) => loadOverview(db, params));
 */
export function timedRead<T>(
  reads: ReadRouter,
  timer: RequestTimer,
  read: (db: Kysely<Database>) => Promise<T>,
): Promise<T> {
  return timer.time('db', () => reads.read(read));
}
