import type { Cache } from '@perfkit/cache';
import type { Database } from '@perfkit/queries';
import type { Kysely } from 'kysely';
import { findUserIdByKey, hashKey } from './api-key-auth.js';

// One options object for every lookup, which runs on every request.
const KNOWN_KEYS_ONLY = { isCacheable: (userId: number | null) => userId !== null };

/**
 * API-key lookups of the reads through a memory cache keyed by the key's
 * hash: a known key costs no query for the cache's TTL, which is also how
 * long a revoked key keeps reading while the database answers (writes look
 * the key up in the database: `createApp`). While it fails, the cache's
 * stale-if-error keeps a key known before the failure working (so cached
 * dashboards can be served stale); a key the database says it does not know
 * is refused at once and never served stale.
 *
 * @example
 * const userIdForKey = cachedUserIdForKey(caches.auth, db);
 */
export function cachedUserIdForKey(
  cache: Cache,
  db: Kysely<Database>,
): (apiKey: string) => Promise<number | undefined> {
  return async (apiKey) => {
    const hash = hashKey(apiKey);
    // An unknown key is an answer, not a failure: a thrown "unknown" would let stale-if-error serve a
    // revoked key's old user. It is not stored, so a key created a moment later works at once.
    const userId = await cache.getOrSet(
      hash,
      async () => (await findUserIdByKey(db, apiKey)) ?? null,
      KNOWN_KEYS_ONLY,
    );
    return userId ?? undefined;
  };
}
