/**
 * What a read found, plus the fence for a later conditional write.
 *
 * @example
 * const { payload, fence } = await store.read('perfkit', 'overview:user:42');
 */
export interface StoreReadResult {
  /** The serialized entry, if one is stored. */
  payload: string | undefined;
  /** Write sequence at read time: pass it to `write` so a later delete/invalidation/set wins. */
  fence: number;
  /** Set when the read asked for a lease and got it. */
  leased: boolean;
}

/**
 * Options of a write; with `fence` it is conditional.
 *
 * @example
 * await store.write('perfkit', key, payload, { ttlMs: 60_000, tags: ['user:42'], fence });
 */
export interface StoreWriteOptions {
  /** Expiry of the stored entry, ms. */
  ttlMs: number;
  tags: readonly string[];
  /** Reject the write if anything touched this key or its tags after this fence; omit for an unconditional set. */
  fence?: number;
  /** Lease token to release in the same step. */
  leaseToken?: string;
}

/**
 * A reader's request for a key's load lease.
 *
 * @example
 * await store.read('perfkit', key, { token: instanceId, ttlMs: 10_000, tags: ['user:42'] });
 */
export interface LeaseRequest {
  token: string;
  ttlMs: number;
  /** The tags the reader's value will carry: an invalidation of one voids leases taken before it. */
  tags?: readonly string[];
  /**
   * Set on the re-reads of a reader waiting for another holder's value: finding nothing is then likely, so
   * a store may skip a fast path meant for stored entries. Never changes what a read returns. Default `false`.
   */
  polling?: boolean;
  /**
   * A stale-while-revalidate refresh: take the lease even over a stored value, so one instance refreshes it;
   * `leased` says whether this reader is the one. Default `false`: a stored value is answered as it is.
   */
  refresh?: boolean;
}

/**
 * The shared second tier. Every operation is scoped by namespace; all of them may reject (the cache guards
 * them with timeouts and a circuit breaker). Implementations must pass `test/store/cache-store-contract.ts`.
 *
 * @example
 * const l2: CacheStore = createRedisStore(redis);
 * const cache = createCache({ l2 });
 */
export interface CacheStore {
  /**
   * Reads a key; with `lease`, takes the key's load lease if no entry is stored and nobody holds it, or
   * if its holder took it before the key or one of `lease.tags` was invalidated (that holder's write will
   * be fenced out, so waiting for it would be waiting for nothing).
   */
  read(namespace: string, key: string, lease?: LeaseRequest): Promise<StoreReadResult>;
  /** Stores an entry unless fenced out; resolves `false` when a newer delete, invalidation or set won. */
  write(namespace: string, key: string, payload: string, options: StoreWriteOptions): Promise<boolean>;
  /** Releases a lease if `token` still holds it. */
  releaseLease(namespace: string, key: string, token: string): Promise<void>;
  /** Deletes keys; loads in flight for them (fenced before now) are rejected for `fenceWindowMs`. */
  delete(namespace: string, keys: readonly string[], fenceWindowMs: number): Promise<void>;
  /** Deletes every entry carrying any of the tags, atomically, fencing loads as `delete` does. */
  invalidateTags(namespace: string, tags: readonly string[], fenceWindowMs: number): Promise<void>;
  /** Makes every entry of the namespace unreachable (a generation bump) and fences all loads in flight. */
  clear(namespace: string): Promise<void>;
}
