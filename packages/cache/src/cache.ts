import { randomUUID } from 'node:crypto';
import { BusSync } from './bus/bus-sync.js';
import type { BusMessage } from './bus/cache-bus.js';
import {
  type CacheEntry,
  type CacheResult,
  createEntry,
  decodeStoredEntry,
  freshnessOf,
  remainingLifetime,
} from './cache-entry.js';
import type { CacheEventListener, CacheEventName } from './cache-events.js';
import {
  type CacheOptions,
  checkTags,
  type EntryOptions,
  type LoadOptions,
  type ResolvedCacheOptions,
  type ResolvedEntryOptions,
  resolveCacheOptions,
  resolveEntryOptions,
} from './cache-options.js';
import type { CacheStats } from './cache-stats.js';
import { CacheTelemetry } from './cache-telemetry.js';
import { CacheOptionsError } from './errors.js';
import { L1Layer } from './l1-layer.js';
import { type L2Call, L2Guard } from './l2/l2-guard.js';
import { InFlightLoads } from './load/in-flight-loads.js';
import { type Loader, LoadPipeline } from './load/load-pipeline.js';

/**
 * The part of a cache that consumers (the ElevenLabs client, route handlers) depend on.
 *
 * @example
 * async function getConfig(cache: CacheLike, id: string) {
 *   return cache.getOrSet(`agent-config:${id}`, () => fetchConfig(id), { ttl: '5m', swr: '1h' });
 * }
 */
export interface CacheLike {
  /** The stored value if servable, else the loader's (one loader per key at a time). */
  getOrSet<T>(key: string, loader: () => Promise<T>, options?: LoadOptions<T>): Promise<T>;
  /** Like `getOrSet`, and says how the value was served (for `X-Cache`). */
  getOrSetWithStatus<T>(
    key: string,
    loader: () => Promise<T>,
    options?: LoadOptions<T>,
  ): Promise<CacheResult<T>>;
  /** The stored value and its age, without loading; `undefined` if none is stored. */
  peek<T>(key: string): Promise<{ value: T; ageMs: number } | undefined>;
  /**
   * `peek` of this instance's memory (L1) alone, answered at once: `undefined` when L1 holds nothing
   * servable, and then nothing is reported, so a `peek` after it reports the lookup once.
   */
  peekLocal<T>(key: string): { value: T; ageMs: number } | undefined;
  set<T>(key: string, value: T, options?: EntryOptions): Promise<void>;
  delete(key: string): Promise<void>;
  invalidateTags(tags: readonly string[]): Promise<void>;
  clear(): Promise<void>;
}

/**
 * A two-tier cache (see `createCache`). Values are copied once when stored (through the serializer),
 * deep-frozen, and shared by reference on every hit: never mutate them.
 *
 * @example
 * const { value, status } = await cache.getOrSetWithStatus('overview:user:42:range:30d', load, { tags: ['user:42'] });
 */
export interface Cache extends CacheLike {
  readonly namespace: string;
  /** Empties this instance's L1 (and rejects loads in flight); call it after a lost LISTEN connection. */
  flushL1(): void;
  on<E extends CacheEventName>(event: E, listener: CacheEventListener<E>): void;
  off<E extends CacheEventName>(event: E, listener: CacheEventListener<E>): void;
  stats(): CacheStats;
  /**
   * Unsubscribes from the bus and stops timing L2 operations (one still waiting carries on without L2),
   * so the cache keeps no timer running. The store and the bus stay open: they are yours to close.
   */
  close(): void;
}

// The public API and the hit path; a miss goes to `InFlightLoads` and `LoadPipeline`, invalidations from
// other instances arrive through `BusSync`.
class TwoTierCache implements Cache {
  readonly namespace: string;
  private readonly o: ResolvedCacheOptions;
  private readonly defaults: ResolvedEntryOptions;
  private readonly telemetry: CacheTelemetry;
  private readonly l1: L1Layer;
  private readonly l2: L2Guard | undefined;
  private readonly loads = new InFlightLoads();
  private readonly pipeline: LoadPipeline;
  private readonly sync: BusSync;

  constructor(options: ResolvedCacheOptions) {
    const origin = randomUUID();
    this.o = options;
    this.namespace = options.namespace;
    this.defaults = { ...options.policy, timeoutMs: options.timeoutMs };
    const telemetry = new CacheTelemetry(options.namespace);
    this.telemetry = telemetry;
    this.l1 = new L1Layer(options.l1MaxEntries, options.l1MaxBytes, (key, reason) =>
      telemetry.evicted(key, reason),
    );
    this.l2 =
      options.l2 &&
      new L2Guard(options.l2, {
        namespace: options.namespace,
        timeoutMs: options.l2TimeoutMs,
        connectTimeoutMs: options.l2ConnectTimeoutMs,
        threshold: options.circuitThreshold,
        cooldownMs: options.circuitCooldownMs,
        clock: options.clock,
        waitClock: options.waitClock,
        onError: (operation, error) => telemetry.l2Failed(operation, error),
        // L2 was cleared: every instance's memory may hold what the outage's lost invalidations removed.
        onRecovered: () => {
          this.flushLocal();
          void this.sync.publish('clear', []);
        },
      });
    this.pipeline = new LoadPipeline({
      options,
      origin,
      l1: this.l1,
      l2: this.l2,
      loads: this.loads,
      telemetry,
      drop: (key) => this.delete(key),
    });
    this.sync = new BusSync(options.bus, {
      namespace: options.namespace,
      origin,
      publishTimeoutMs: options.l2TimeoutMs,
      clock: options.waitClock,
      telemetry,
      apply: (kind, items) => this.applyLocally(kind, items),
      flush: () => this.flushL1(),
      reconnected: () => {
        // Messages sent while disconnected are lost: nothing in L1 can be trusted to predate them.
        this.flushL1();
        // Redis is likely back: clear an L2 that missed this instance's invalidations now, not at this
        // instance's next call, which may be long in coming while the others read what L2 still holds.
        this.l2?.recoverSoon();
      },
    });
  }

  getOrSet<T>(key: string, loader: () => Promise<T>, options?: LoadOptions<T>): Promise<T> {
    const entry = this.freshHit(key);
    if (entry !== undefined) {
      entry.hitValue ??= Promise.resolve(entry.value);
      return entry.hitValue as Promise<T>;
    }
    return this.resolve(key, loader, options).then((result) => result.value as T);
  }

  getOrSetWithStatus<T>(
    key: string,
    loader: () => Promise<T>,
    options?: LoadOptions<T>,
  ): Promise<CacheResult<T>> {
    const entry = this.freshHit(key);
    if (entry !== undefined) {
      // Shared by every hit on this entry, hence frozen like the value.
      entry.hitResult ??= Promise.resolve(Object.freeze({ value: entry.value, status: 'hit' as const }));
      return entry.hitResult as Promise<CacheResult<T>>;
    }
    return this.resolve(key, loader, options) as Promise<CacheResult<T>>;
  }

  // A consumer that keeps its own freshness (the ElevenLabs client's deadline mode) looks up with peek, so
  // a peek reports its lookup like getOrSet does: hit, stale, or miss (the caller then loads on its own).
  async peek<T>(key: string): Promise<{ value: T; ageMs: number } | undefined> {
    validateKey(key);
    const now = this.o.clock.now();
    let entry = this.usableL1(key);
    let layer: 'l1' | 'l2' = 'l1';
    if (entry === undefined && this.l2 !== undefined) {
      const sequence = this.loads.sequence;
      const read = await this.l2.run('read', (store) => store.read(this.namespace, key));
      entry = read?.payload === undefined ? undefined : decodeStoredEntry(read.payload);
      layer = 'l2';
      // Kept in L1 as a load's L2 hit is, so the next peek costs no round trip; not if anything was
      // invalidated while Redis answered, as the value read may be what that invalidation removed.
      if (entry !== undefined && freshnessOf(entry, now) !== 'gone' && this.loads.sequence === sequence) {
        this.l1.set(key, entry);
      }
    }
    const peeked = entry && this.peeked<T>(key, entry, layer, now);
    if (peeked === undefined) this.telemetry.miss(key);
    return peeked;
  }

  // A list of peeks that memory answers whole costs its caller no promise per key (the deadline mode's
  // warm agents page: 20 configs per request).
  peekLocal<T>(key: string): { value: T; ageMs: number } | undefined {
    validateKey(key);
    const entry = this.usableL1(key);
    return entry && this.peeked<T>(key, entry, 'l1', this.o.clock.now());
  }

  /** A peek's answer from `entry`, reported as a hit or stale; `undefined` (unreported) once it is gone. */
  private peeked<T>(
    key: string,
    entry: CacheEntry,
    layer: 'l1' | 'l2',
    now: number,
  ): { value: T; ageMs: number } | undefined {
    const freshness = freshnessOf(entry, now);
    if (freshness === 'gone') return undefined;
    const ageMs = now - entry.createdAt;
    if (freshness === 'fresh') this.telemetry.hit(key, layer);
    else this.telemetry.stale(key, ageMs, freshness === 'stale' ? 'swr' : 'error');
    return { value: entry.value as T, ageMs };
  }

  async set<T>(key: string, value: T, options?: EntryOptions): Promise<void> {
    validateKey(key);
    const policy = resolveEntryOptions(options, this.defaults);
    const { entry, payload } = createEntry(key, value, policy, this.o.clock.now(), this.o.jitter);
    // A newer set wins over loads in flight, here and (through the write sequence) in other instances.
    this.loads.fenceKeys([key]);
    this.l1.set(key, entry);
    await this.writeL2Invalidating('write', (store) =>
      store.write(this.namespace, key, payload, {
        ttlMs: remainingLifetime(entry, this.o.clock.now()),
        tags: entry.tags,
      }),
    );
    await this.sync.publish('keys', [key]);
  }

  async delete(key: string): Promise<void> {
    validateKey(key);
    await this.invalidate('keys', [key], (store) =>
      store.delete(this.namespace, [key], this.o.fenceWindowMs),
    );
  }

  async invalidateTags(tags: readonly string[]): Promise<void> {
    if (checkTags(tags).length === 0) return;
    await this.invalidate('tags', tags, (store) =>
      store.invalidateTags(this.namespace, tags, this.o.fenceWindowMs),
    );
  }

  async clear(): Promise<void> {
    await this.invalidate('clear', [], (store) => store.clear(this.namespace));
  }

  flushL1(): void {
    this.flushLocal();
    this.telemetry.bus('flushed');
  }

  on<E extends CacheEventName>(event: E, listener: CacheEventListener<E>): void {
    this.telemetry.on(event, listener);
  }

  off<E extends CacheEventName>(event: E, listener: CacheEventListener<E>): void {
    this.telemetry.off(event, listener);
  }

  stats(): CacheStats {
    const c = this.telemetry.counters;
    return {
      ...c,
      hits: c.l1Hits + c.l2Hits,
      l1Entries: this.l1.size,
      l1Bytes: this.l1.bytes,
      l2: this.l2 === undefined ? 'none' : this.l2.state,
      bus: this.sync.state,
    };
  }

  close(): void {
    this.sync.close();
    this.l2?.close();
  }

  // The hot path: one LRU lookup, one clock read, no allocation after an entry's first hit.
  private freshHit(key: string): CacheEntry | undefined {
    const entry = this.usableL1(key);
    if (entry === undefined || this.o.clock.now() >= entry.freshUntil) return undefined;
    this.telemetry.hit(key, 'l1');
    return entry;
  }

  /** An L1 entry that may be served: L1 is trusted while the bus is connected, or when L2 is out anyway. */
  private usableL1(key: string): CacheEntry | undefined {
    const entry = this.l1.get(key);
    return entry !== undefined && (this.sync.trusted || this.l2?.isOpen()) ? entry : undefined;
  }

  private resolve(
    key: string,
    loader: Loader,
    options: LoadOptions<never> | undefined,
  ): Promise<CacheResult<unknown>> {
    try {
      validateKey(key);
      // Else undefined would be loaded, and cached.
      if (typeof loader !== 'function')
        throw new CacheOptionsError('loader', 'must be a function that loads the value');
      const policy = resolveEntryOptions(options, this.defaults);
      const entry = this.usableL1(key);
      const now = this.o.clock.now();
      const freshness = entry && freshnessOf(entry, now);
      if (entry !== undefined && freshness === 'stale') {
        this.refreshInBackground(key, loader, policy);
        this.telemetry.stale(key, now - entry.createdAt, 'swr');
        return Promise.resolve({ value: entry.value, status: 'stale' });
      }
      if (entry !== undefined && freshness === 'gone') this.l1.delete(key, 'expired');
      const joined = this.loads.joinable(key);
      if (joined !== undefined) return joined;
      return this.startLoad(key, loader, policy, freshness === 'error-only' ? entry : undefined, false);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  private refreshInBackground(key: string, loader: Loader, policy: ResolvedEntryOptions): void {
    if (this.loads.has(key)) return;
    // Failures are reported through 'refresh-error'; the stale value keeps being served meanwhile.
    this.startLoad(key, loader, policy, undefined, true).catch(() => undefined);
  }

  private startLoad(
    key: string,
    loader: Loader,
    policy: ResolvedEntryOptions,
    fallback: CacheEntry | undefined,
    background: boolean,
  ): Promise<CacheResult<unknown>> {
    const promise = this.loads.start(key, policy.tags, (startSeq, finish) =>
      this.pipeline.load({ key, loader, policy, fallback, startSeq, background, finish }),
    );
    if (!background) {
      // A stale value from L2 was served: refresh it, as for a stale value from L1.
      promise.then((result) => {
        if (result.status === 'stale') this.refreshInBackground(key, loader, policy);
      }, noop);
    }
    return promise;
  }

  private async invalidate(
    kind: BusMessage['kind'],
    items: readonly string[],
    writeL2: L2Call<unknown>,
  ): Promise<void> {
    this.applyLocally(kind, items);
    await this.writeL2Invalidating(kind, writeL2);
    // Again after L2: a load that started meanwhile may have read the old L2 entry.
    this.applyLocally(kind, items);
    await this.sync.publish(kind, items);
  }

  private applyLocally(kind: BusMessage['kind'], items: readonly string[]): void {
    if (kind === 'clear') this.flushLocal();
    else if (kind === 'keys') {
      this.loads.fenceKeys(items);
      for (const key of items) this.l1.delete(key, 'deleted');
    } else {
      this.loads.fenceTags(items);
      this.l1.deleteTagged(items, 'invalidated');
    }
  }

  private async writeL2Invalidating(operation: string, write: L2Call<unknown>): Promise<void> {
    if (this.l2 === undefined) return;
    const done = await this.l2.run(operation, async (store) => {
      await write(store);
      return true;
    });
    // L2 may still hold what this write was meant to replace: distrust it until it is cleared.
    if (done === undefined) this.l2.markUntrusted();
  }

  private flushLocal(): void {
    this.loads.fenceAll();
    this.l1.flush();
  }
}

const noop = () => undefined;

function validateKey(key: string): void {
  if (typeof key !== 'string' || key === '') throw new CacheOptionsError('key', 'must be a non-empty string');
}

/**
 * Creates a cache: L1 in-process LRU, optional L2 (`createRedisStore`) and bus (`createRedisBus`).
 * Options are validated here; see `CacheOptions` for every default.
 *
 * @example
 * const cache = createCache({ namespace: 'perfkit', ttl: '30s', swr: '5m', l2: createRedisStore(redis), bus: createRedisBus(redis) });
 * const overview = await cache.getOrSet('overview:user:42:range:30d', () => loadOverview(42), { tags: ['user:42'] });
 */
export function createCache(options?: CacheOptions): Cache {
  return new TwoTierCache(resolveCacheOptions(options));
}
