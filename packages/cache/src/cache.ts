import { randomUUID } from 'node:crypto';
import type { BusMessage, CacheBus } from './bus/cache-bus.js';
import {
  type CacheEntry,
  type CacheResult,
  createEntry,
  decodeEntry,
  freshnessOf,
  remainingLifetime,
} from './cache-entry.js';
import {
  type CacheBusEvent,
  type CacheEventListener,
  type CacheEventName,
  CacheEvents,
} from './cache-events.js';
import {
  type CacheOptions,
  type EntryOptions,
  type ResolvedCacheOptions,
  type ResolvedEntryOptions,
  resolveCacheOptions,
  resolveEntryOptions,
} from './cache-options.js';
import { type CacheCounters, type CacheStats, createCounters } from './cache-stats.js';
import {
  type CacheBusMessageError,
  CacheL2Error,
  CacheLoadTimeoutError,
  CacheOptionsError,
  toError,
} from './errors.js';
import { type EvictReason, L1Layer } from './l1-layer.js';
import { L2Guard } from './l2-guard.js';
import type { StoreReadResult } from './store/cache-store.js';
import { withTimeout } from './with-timeout.js';

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
  getOrSet<T>(key: string, loader: () => Promise<T>, options?: EntryOptions): Promise<T>;
  /** Like `getOrSet`, and says how the value was served (for `X-Cache`). */
  getOrSetWithStatus<T>(
    key: string,
    loader: () => Promise<T>,
    options?: EntryOptions,
  ): Promise<CacheResult<T>>;
  /** The stored value and its age, without loading; `undefined` if none is stored. */
  peek<T>(key: string): Promise<{ value: T; ageMs: number } | undefined>;
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
  /** Unsubscribes from the bus. The store and the bus stay open: they are yours to close. */
  close(): void;
}

interface InFlight {
  readonly startSeq: number;
  readonly tags: readonly string[];
  promise?: Promise<CacheResult<unknown>>;
}

type Loader = () => Promise<unknown>;

const NO_FENCE = -1;

class TwoTierCache implements Cache {
  readonly namespace: string;
  private readonly o: ResolvedCacheOptions;
  private readonly defaults: ResolvedEntryOptions;
  private readonly events = new CacheEvents();
  private readonly counters: CacheCounters = createCounters();
  private readonly l1: L1Layer;
  private readonly l2: L2Guard | undefined;
  private readonly bus: CacheBus | undefined;
  private readonly unsubscribe: (() => void) | undefined;
  private readonly origin = randomUUID();
  private l1Trusted: boolean;

  // Local fencing: every invalidating operation takes the next sequence number; a load records the number
  // it started at and is not stored if its key, a tag of it, or everything was fenced after that.
  private seq = 0;
  private clearedAt = NO_FENCE;
  private running = 0;
  private readonly keyFences = new Map<string, number>();
  private readonly tagFences = new Map<string, number>();
  private readonly inflight = new Map<string, InFlight>();

  private busSeq = 0;
  private readonly lastSeqByOrigin = new Map<string, number>();

  constructor(options: ResolvedCacheOptions) {
    this.o = options;
    this.namespace = options.namespace;
    this.defaults = { ...options.policy, timeoutMs: options.timeoutMs };
    this.l1 = new L1Layer(options.l1MaxEntries, options.l1MaxBytes, (key, reason) =>
      this.onEvict(key, reason),
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
        onError: (operation, error) => {
          this.counters.l2Errors += 1;
          if (this.events.has('l2-error'))
            this.events.emit('l2-error', { namespace: this.namespace, operation, error });
        },
        onRecovered: () => this.flushLocal(),
      });
    this.bus = options.bus;
    this.l1Trusted = this.bus === undefined || this.bus.connected;
    this.unsubscribe = this.bus?.subscribe({
      message: (message) => this.onBusMessage(message),
      // Dropped without flushing: garbage on the channel must not be able to empty every instance's L1.
      malformed: (error) => this.emitBus('rejected', error),
      connection: (connected) => this.onBusConnection(connected),
    });
  }

  getOrSet<T>(key: string, loader: () => Promise<T>, options?: EntryOptions): Promise<T> {
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
    options?: EntryOptions,
  ): Promise<CacheResult<T>> {
    const entry = this.freshHit(key);
    if (entry !== undefined) {
      // Shared by every hit on this entry, hence frozen like the value.
      entry.hitResult ??= Promise.resolve(Object.freeze({ value: entry.value, status: 'hit' as const }));
      return entry.hitResult as Promise<CacheResult<T>>;
    }
    return this.resolve(key, loader, options) as Promise<CacheResult<T>>;
  }

  async peek<T>(key: string): Promise<{ value: T; ageMs: number } | undefined> {
    validateKey(key);
    const now = this.o.clock.now();
    let entry = this.usableL1(key);
    if (entry === undefined && this.l2 !== undefined) {
      const read = await this.l2.run('read', (store) => store.read(this.namespace, key));
      entry = read?.payload === undefined ? undefined : this.decodeStored(read.payload);
    }
    if (entry === undefined || freshnessOf(entry, now) === 'gone') return undefined;
    return { value: entry.value as T, ageMs: now - entry.createdAt };
  }

  async set<T>(key: string, value: T, options?: EntryOptions): Promise<void> {
    validateKey(key);
    const policy = resolveEntryOptions(options, this.defaults);
    const entry = createEntry(key, value, policy, this.o.clock.now(), this.o.jitter);
    // A newer set wins over loads in flight, here and (through the write sequence) in other instances.
    this.fenceKeys([key]);
    this.l1.set(key, entry);
    await this.writeL2Invalidating('write', (store) =>
      store.write(this.namespace, key, entry.payload, {
        ttlMs: remainingLifetime(entry, this.o.clock.now()),
        tags: entry.tags,
      }),
    );
    await this.publish('keys', [key]);
  }

  async delete(key: string): Promise<void> {
    validateKey(key);
    await this.invalidate('keys', [key], (store) =>
      store.delete(this.namespace, [key], this.o.fenceWindowMs),
    );
  }

  async invalidateTags(tags: readonly string[]): Promise<void> {
    if (!Array.isArray(tags) || tags.some((tag) => typeof tag !== 'string' || tag === '')) {
      throw new CacheOptionsError('tags', 'expected an array of non-empty strings');
    }
    if (tags.length === 0) return;
    await this.invalidate('tags', tags, (store) =>
      store.invalidateTags(this.namespace, tags, this.o.fenceWindowMs),
    );
  }

  async clear(): Promise<void> {
    await this.invalidate('clear', [], (store) => store.clear(this.namespace));
  }

  flushL1(): void {
    this.flushLocal();
    this.emitBus('flushed');
  }

  on<E extends CacheEventName>(event: E, listener: CacheEventListener<E>): void {
    this.events.on(event, listener);
  }

  off<E extends CacheEventName>(event: E, listener: CacheEventListener<E>): void {
    this.events.off(event, listener);
  }

  stats(): CacheStats {
    const c = this.counters;
    return {
      ...c,
      hits: c.l1Hits + c.l2Hits,
      l1Entries: this.l1.size,
      l1Bytes: this.l1.bytes,
      l2: this.l2 === undefined ? 'none' : this.l2.state,
      bus: this.bus === undefined ? 'none' : this.l1Trusted ? 'connected' : 'disconnected',
    };
  }

  close(): void {
    this.unsubscribe?.();
  }

  // The hot path: one LRU lookup, one clock read, no allocation after an entry's first hit.
  private freshHit(key: string): CacheEntry | undefined {
    const entry = this.l1.get(key);
    if (entry === undefined || !(this.l1Trusted || this.l2?.isOpen())) return undefined;
    if (this.o.clock.now() >= entry.freshUntil) return undefined;
    this.counters.l1Hits += 1;
    if (this.events.has('hit')) this.events.emit('hit', { namespace: this.namespace, key, layer: 'l1' });
    return entry;
  }

  /** An L1 entry that may be served: L1 is trusted while the bus is connected, or when L2 is out anyway. */
  private usableL1(key: string): CacheEntry | undefined {
    const entry = this.l1.get(key);
    return entry !== undefined && (this.l1Trusted || this.l2?.isOpen()) ? entry : undefined;
  }

  private resolve(
    key: string,
    loader: Loader,
    options: EntryOptions | undefined,
  ): Promise<CacheResult<unknown>> {
    try {
      validateKey(key);
      const policy = resolveEntryOptions(options, this.defaults);
      const entry = this.usableL1(key);
      const now = this.o.clock.now();
      const freshness = entry && freshnessOf(entry, now);
      if (entry !== undefined && freshness === 'stale') {
        this.refreshInBackground(key, loader, policy);
        return Promise.resolve(this.serveStale(key, entry, now, 'swr'));
      }
      if (entry !== undefined && freshness === 'gone') this.l1.delete(key, 'expired');
      const running = this.inflight.get(key);
      if (running?.promise !== undefined) return running.promise;
      return this.startLoad(key, loader, policy, freshness === 'error-only' ? entry : undefined, false);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  private refreshInBackground(key: string, loader: Loader, policy: ResolvedEntryOptions): void {
    if (this.inflight.has(key)) return;
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
    const record: InFlight = { startSeq: this.seq, tags: policy.tags };
    this.inflight.set(key, record);
    this.running += 1;
    const promise = this.load(key, loader, policy, fallback, record.startSeq, background);
    record.promise = promise;
    const settle = () => {
      if (this.inflight.get(key) === record) this.inflight.delete(key);
      this.running -= 1;
      if (this.running === 0) {
        this.keyFences.clear();
        this.tagFences.clear();
      }
    };
    promise.then((result) => {
      settle();
      if (result.status === 'stale' && !background) this.refreshInBackground(key, loader, policy);
    }, settle);
    return promise;
  }

  private async load(
    key: string,
    loader: Loader,
    policy: ResolvedEntryOptions,
    l1Fallback: CacheEntry | undefined,
    startSeq: number,
    background: boolean,
  ): Promise<CacheResult<unknown>> {
    let fallback = l1Fallback;
    const read = await this.readL2(key);
    if (read?.payload !== undefined) {
      const stored = this.decodeStored(read.payload);
      const now = this.o.clock.now();
      const freshness = stored && freshnessOf(stored, now);
      // A background refresh exists to replace a stale value: only a fresh one ends it.
      if (stored !== undefined && (freshness === 'fresh' || (freshness === 'stale' && !background))) {
        if (!this.isFenced(key, stored.tags, startSeq)) this.l1.set(key, stored);
        if (freshness === 'stale') return this.serveStale(key, stored, now, 'swr');
        this.counters.l2Hits += 1;
        if (this.events.has('hit')) this.events.emit('hit', { namespace: this.namespace, key, layer: 'l2' });
        return { value: stored.value, status: 'hit' };
      }
      if (
        stored !== undefined &&
        freshness === 'error-only' &&
        !(fallback && fallback.createdAt >= stored.createdAt)
      ) {
        fallback = stored;
      }
    }
    if (!background) {
      this.counters.misses += 1;
      if (this.events.has('miss')) this.events.emit('miss', { namespace: this.namespace, key });
    }
    return this.runLoader(key, loader, policy, {
      fallback,
      startSeq,
      fence: read?.fence,
      leased: read?.leased,
    });
  }

  /** Reads L2, taking (or waiting for) the load lease when leases are on. `undefined` when L2 is out. */
  private async readL2(key: string): Promise<StoreReadResult | undefined> {
    const l2 = this.l2;
    if (l2 === undefined) return undefined;
    const lease = this.o.lease ? { token: this.origin, ttlMs: this.o.leaseTtlMs } : undefined;
    const read = () => l2.run('read', (store) => store.read(this.namespace, key, lease));
    const first = await read();
    if (lease === undefined || first === undefined || first.payload !== undefined || first.leased) {
      return first;
    }
    const deadline = performance.now() + this.o.leaseWaitMs;
    while (performance.now() < deadline) {
      await sleep(this.o.leasePollMs);
      const next = await read();
      if (next === undefined || next.payload !== undefined || next.leased) return next;
    }
    // The holder is slow or gone: load without the lease, keeping the first fence for the write.
    return first;
  }

  private async runLoader(
    key: string,
    loader: Loader,
    policy: ResolvedEntryOptions,
    ctx: {
      fallback: CacheEntry | undefined;
      startSeq: number;
      fence: number | undefined;
      leased: boolean | undefined;
    },
  ): Promise<CacheResult<unknown>> {
    const startedAt = performance.now();
    this.counters.loads += 1;
    let entry: CacheEntry;
    try {
      const value = await withTimeout(
        Promise.resolve().then(loader),
        policy.timeoutMs,
        () => new CacheLoadTimeoutError(key, policy.timeoutMs),
      );
      entry = createEntry(key, value, policy, this.o.clock.now(), this.o.jitter);
    } catch (thrown) {
      const error = toError(thrown);
      this.counters.loadErrors += 1;
      if (this.events.has('refresh-error'))
        this.events.emit('refresh-error', { namespace: this.namespace, key, error });
      if (ctx.leased)
        await this.l2?.run('releaseLease', (store) => store.releaseLease(this.namespace, key, this.origin));
      const now = this.o.clock.now();
      const { fallback } = ctx;
      if (
        fallback !== undefined &&
        now < fallback.errorUntil &&
        !this.isFenced(key, fallback.tags, ctx.startSeq)
      ) {
        this.counters.staleOnError += 1;
        this.emitStale(key, fallback, now, 'error');
        return { value: fallback.value, status: 'stale-on-error' };
      }
      throw error;
    }
    const durationMs = performance.now() - startedAt;
    if (this.events.has('refresh'))
      this.events.emit('refresh', { namespace: this.namespace, key, durationMs });
    await this.storeLoaded(key, entry, ctx.startSeq, ctx.fence, ctx.leased, durationMs);
    return { value: entry.value, status: 'miss' };
  }

  private async storeLoaded(
    key: string,
    entry: CacheEntry,
    startSeq: number,
    fence: number | undefined,
    leased: boolean | undefined,
    durationMs: number,
  ): Promise<void> {
    let accepted = !this.isFenced(key, entry.tags, startSeq);
    if (this.l2 !== undefined && fence !== undefined) {
      // Past the fence window L2 no longer remembers invalidations, so a write could resurrect stale data.
      const write = accepted && durationMs < this.o.fenceWindowMs;
      const leaseToken = leased ? this.origin : undefined;
      const written = write
        ? await this.l2.run('write', (store) =>
            store.write(this.namespace, key, entry.payload, {
              ttlMs: remainingLifetime(entry, this.o.clock.now()),
              tags: entry.tags,
              fence,
              leaseToken,
            }),
          )
        : leaseToken &&
          (await this.l2.run('releaseLease', (store) => store.releaseLease(this.namespace, key, leaseToken)));
      if (written === false) accepted = false;
    }
    // Checked again: an invalidation may have arrived while L2 was being written.
    if (accepted && !this.isFenced(key, entry.tags, startSeq)) this.l1.set(key, entry);
  }

  private serveStale(key: string, entry: CacheEntry, now: number, reason: 'swr'): CacheResult<unknown> {
    this.counters.stale += 1;
    this.emitStale(key, entry, now, reason);
    return { value: entry.value, status: 'stale' };
  }

  private emitStale(key: string, entry: CacheEntry, now: number, reason: 'swr' | 'error'): void {
    if (this.events.has('stale')) {
      this.events.emit('stale', { namespace: this.namespace, key, ageMs: now - entry.createdAt, reason });
    }
  }

  private decodeStored(payload: string): CacheEntry | undefined {
    try {
      return decodeEntry(payload);
    } catch {
      // Unreadable data (another version's format) is a miss, never an error for the caller.
      return undefined;
    }
  }

  private isFenced(key: string, tags: readonly string[], startSeq: number): boolean {
    if (this.clearedAt > startSeq || (this.keyFences.get(key) ?? NO_FENCE) > startSeq) return true;
    return tags.some((tag) => (this.tagFences.get(tag) ?? NO_FENCE) > startSeq);
  }

  private async invalidate(
    kind: BusMessage['kind'],
    items: readonly string[],
    writeL2: Parameters<L2Guard['run']>[1],
  ): Promise<void> {
    this.applyLocally(kind, items);
    await this.writeL2Invalidating(kind, writeL2);
    // Again after L2: a load that started meanwhile may have read the old L2 entry.
    this.applyLocally(kind, items);
    await this.publish(kind, items);
  }

  private applyLocally(kind: BusMessage['kind'], items: readonly string[]): void {
    if (kind === 'clear') this.flushLocal();
    else if (kind === 'keys') {
      this.fenceKeys(items);
      for (const key of items) this.l1.delete(key, 'deleted');
    } else {
      this.fenceTags(items);
      this.l1.deleteTagged(items, 'invalidated');
    }
  }

  private async writeL2Invalidating(operation: string, write: Parameters<L2Guard['run']>[1]): Promise<void> {
    if (this.l2 === undefined) return;
    const done = await this.l2.run(operation, async (store) => {
      await write(store);
      return true;
    });
    // L2 may still hold what this write was meant to replace: distrust it until it is cleared.
    if (done === undefined) this.l2.markUntrusted();
  }

  private fenceKeys(keys: readonly string[]): void {
    const seq = ++this.seq;
    for (const key of keys) {
      if (this.running > 0) this.keyFences.set(key, seq);
      this.inflight.delete(key);
    }
  }

  private fenceTags(tags: readonly string[]): void {
    const seq = ++this.seq;
    if (this.running === 0) return;
    for (const tag of tags) this.tagFences.set(tag, seq);
    // New callers must not join a load that an invalidation has overtaken.
    for (const [key, record] of this.inflight) {
      if (record.tags.some((tag) => tags.includes(tag))) this.inflight.delete(key);
    }
  }

  private flushLocal(): void {
    this.clearedAt = ++this.seq;
    this.inflight.clear();
    this.l1.flush();
  }

  private async publish(kind: BusMessage['kind'], items: readonly string[]): Promise<void> {
    if (this.bus === undefined) return;
    // The sequence number advances even if publishing fails, so receivers see the gap and flush.
    const message: BusMessage = {
      namespace: this.namespace,
      origin: this.origin,
      seq: ++this.busSeq,
      kind,
      items,
    };
    try {
      await withTimeout(
        this.bus.publish(message),
        this.o.l2TimeoutMs,
        () =>
          new CacheL2Error(
            'PERFKIT_CACHE_L2_TIMEOUT',
            'publish',
            `no answer within ${this.o.l2TimeoutMs} ms`,
          ),
      );
    } catch (thrown) {
      this.counters.l2Errors += 1;
      if (this.events.has('l2-error')) {
        this.events.emit('l2-error', {
          namespace: this.namespace,
          operation: 'publish',
          error: toError(thrown),
        });
      }
    }
  }

  private onBusMessage(message: BusMessage): void {
    if (message.namespace !== this.namespace || message.origin === this.origin) return;
    const last = this.lastSeqByOrigin.get(message.origin);
    this.lastSeqByOrigin.set(message.origin, message.seq);
    if (last !== undefined && message.seq !== last + 1) {
      this.emitBus('gap');
      this.flushL1();
      return;
    }
    this.applyLocally(message.kind, message.items);
  }

  private onBusConnection(connected: boolean): void {
    this.emitBus(connected ? 'connected' : 'disconnected');
    if (!connected) {
      this.l1Trusted = false;
      return;
    }
    // Messages sent while disconnected are lost: nothing in L1 can be trusted to predate them.
    this.flushL1();
    this.l1Trusted = true;
  }

  private emitBus(state: CacheBusEvent['state'], error?: CacheBusMessageError): void {
    if (this.events.has('bus')) {
      this.events.emit('bus', {
        namespace: this.namespace,
        state,
        ...(error === undefined ? {} : { error }),
      });
    }
  }

  private onEvict(key: string, reason: EvictReason): void {
    this.counters.evictions += 1;
    if (this.events.has('evict')) this.events.emit('evict', { namespace: this.namespace, key, reason });
  }
}

function validateKey(key: string): void {
  if (typeof key !== 'string' || key === '')
    throw new CacheOptionsError('key', 'expected a non-empty string');
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
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
