import type { Cache } from '@perfkit/cache';
import type { Database } from '@perfkit/queries';
import type { Kysely } from 'kysely';
import { findUserIdByKey, hashKey } from './api-key-auth.js';

/** Thrown inside the loader so an unknown key is never cached: a key created a moment later works at once. */
class UnknownKey extends Error {}

/**
 * API-key lookups through a memory cache keyed by the key's hash: a known key
 * costs no query for the cache's TTL, which is also how long a revoked key
 * keeps working.
 *
 * @example
 * const userIdForKey = cachedUserIdForKey(caches.auth, db);
 */
export function cachedUserIdForKey(
  cache: Cache,
  db: Kysely<Database>,
): (apiKey: string) => Promise<number | undefined> {
  return async (apiKey) => {
    try {
      return await cache.getOrSet(hashKey(apiKey), async () => {
        const userId = await findUserIdByKey(db, apiKey);
        if (userId === undefined) throw new UnknownKey();
        return userId;
      });
    } catch (error) {
      if (error instanceof UnknownKey) return undefined;
      throw error;
    }
  };
}
