/**
 * Counters since the cache was created, plus the current state of L1, L2 and the bus.
 *
 * @example
 * const { hits, misses } = cache.stats();
 */
export interface CacheStats {
  hits: number;
  l1Hits: number;
  l2Hits: number;
  misses: number;
  stale: number;
  staleOnError: number;
  loads: number;
  loadErrors: number;
  evictions: number;
  l2Errors: number;
  l1Entries: number;
  l1Bytes: number;
  l2: 'none' | 'closed' | 'open';
  bus: 'none' | 'connected' | 'disconnected';
}

/** The mutable counters behind `stats()`. */
export type CacheCounters = Pick<
  CacheStats,
  | 'l1Hits'
  | 'l2Hits'
  | 'misses'
  | 'stale'
  | 'staleOnError'
  | 'loads'
  | 'loadErrors'
  | 'evictions'
  | 'l2Errors'
>;

/** Zeroed counters for a new cache. */
export function createCounters(): CacheCounters {
  return {
    l1Hits: 0,
    l2Hits: 0,
    misses: 0,
    stale: 0,
    staleOnError: 0,
    loads: 0,
    loadErrors: 0,
    evictions: 0,
    l2Errors: 0,
  };
}
