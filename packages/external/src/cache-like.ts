/**
 * The cache the client accepts: structurally the `@perfkit/cache` API, without importing it.
 * Any object with these four methods works; `peekLocal` is optional.
 *
 * @example
 * const client = new ElevenLabsClient({ apiKey, cache: perfkitCache });
 */
export interface CacheLike {
  getOrSet<T>(key: string, loader: () => Promise<T>, opts?: CacheWriteOptions): Promise<T>;
  /** The stored value and its age, without loading. */
  peek<T>(key: string): Promise<{ value: T; ageMs: number } | undefined>;
  /**
   * `peek` of what the cache holds in this process, answered at once, or `undefined` (then `peek` is
   * asked). With it, a list that memory answers whole costs no promise per id.
   */
  peekLocal?<T>(key: string): { value: T; ageMs: number } | undefined;
  set<T>(key: string, value: T, opts?: CacheWriteOptions): Promise<void>;
  delete(key: string): Promise<void>;
}

/** Options of a cache write: a TTL in ms and invalidation tags. */
export interface CacheWriteOptions {
  ttl?: number;
  tags?: string[];
}
