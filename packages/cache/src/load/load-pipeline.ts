import {
  type CacheEntry,
  type CacheResult,
  createEntry,
  decodeStoredEntry,
  type EncodedEntry,
  freshnessOf,
  remainingLifetime,
} from '../cache-entry.js';
import type { ResolvedCacheOptions, ResolvedEntryOptions } from '../cache-options.js';
import type { CacheTelemetry } from '../cache-telemetry.js';
import { CacheLoadTimeoutError, toError } from '../errors.js';
import type { L1Layer } from '../l1-layer.js';
import type { L2Guard } from '../l2/l2-guard.js';
import { type LeaseWaitOptions, readWithLease } from '../l2/lease-wait.js';
import type { StoreReadResult } from '../store/cache-store.js';
import { withTimeout } from '../with-timeout.js';
import type { InFlightLoads } from './in-flight-loads.js';

/** A loader as `getOrSet` receives it. */
export type Loader = () => Promise<unknown>;

/** One load: where it started and what to fall back on. */
export interface LoadRequest {
  key: string;
  loader: Loader;
  policy: ResolvedEntryOptions;
  /** An L1 entry that may still be served if the loader fails. */
  fallback: CacheEntry | undefined;
  /** From `InFlightLoads.start`: fences after this number reject the load's result. */
  startSeq: number;
  /** A stale-while-revalidate refresh: only a fresh L2 value ends it, and it is not a miss. */
  background: boolean;
  /** From `InFlightLoads.start`: ends the load's record, before its outcome is reported. */
  finish(): void;
}

/** What a pipeline works with; the cache owns all of it. */
export interface LoadPipelineParts {
  options: ResolvedCacheOptions;
  /** This instance's id: the prefix of its loads' lease tokens. */
  origin: string;
  l1: L1Layer;
  l2: L2Guard | undefined;
  loads: InFlightLoads;
  telemetry: CacheTelemetry;
  /** Deletes a key everywhere, as `Cache.delete` does. */
  drop(key: string): Promise<void>;
}

/**
 * What happens between an L1 miss and a value: read L2 (taking or waiting for the lease), otherwise run the
 * loader under its time limit, and store the result in L2 and L1 unless an invalidation fenced it out.
 *
 * @example
 * const result = await pipeline.load({ key, loader, policy, fallback: undefined, startSeq, background: false });
 */
/** An L2 read, and the lease token of the load that made it: each load's own, so that a fenced load of
 * this instance never releases the lease its newer load of the same key holds. */
type L2Read = StoreReadResult & { token: string };

export class LoadPipeline {
  private readonly lease: Omit<LeaseWaitOptions, 'token'> | undefined;
  private loadCount = 0;

  constructor(private readonly parts: LoadPipelineParts) {
    const { options } = parts;
    this.lease = options.lease
      ? {
          namespace: options.namespace,
          ttlMs: options.leaseTtlMs,
          waitMs: options.leaseWaitMs,
          pollMs: options.leasePollMs,
          clock: options.waitClock,
        }
      : undefined;
  }

  async load(request: LoadRequest): Promise<CacheResult<unknown>> {
    const { key, background } = request;
    let fallback = request.fallback;
    const read = await this.readL2(key, request.policy.tags, background);
    if (read?.payload !== undefined) {
      const stored = decodeStoredEntry(read.payload);
      const now = this.parts.options.clock.now();
      const freshness = stored && freshnessOf(stored, now);
      // A background refresh exists to replace a stale value: only a fresh one ends it.
      if (stored !== undefined && (freshness === 'fresh' || (freshness === 'stale' && !background))) {
        // A refresh takes the lease over any stored value: over a fresh one (another instance refreshed it
        // first) it is not needed, and kept it would stop every refresh of the key for the lease's life.
        if (read.leased) await this.releaseLease(key, read.token);
        if (!this.parts.loads.isFenced(key, stored.tags, request.startSeq)) this.parts.l1.set(key, stored);
        if (freshness === 'stale') {
          this.parts.telemetry.stale(key, now - stored.createdAt, 'swr');
          return { value: stored.value, status: 'stale' };
        }
        this.parts.telemetry.hit(key, 'l2');
        return { value: stored.value, status: 'hit' };
      }
      // Another instance holds the lease over this stale value: it refreshes it for the cluster.
      if (stored !== undefined && freshness === 'stale' && background && this.lease && !read.leased) {
        return { value: stored.value, status: 'stale' };
      }
      if (
        stored !== undefined &&
        freshness === 'error-only' &&
        !(fallback && fallback.createdAt >= stored.createdAt)
      ) {
        fallback = stored;
      }
    }
    if (!background) this.parts.telemetry.miss(key);
    return this.runLoader({ ...request, fallback }, read);
  }

  private async readL2(
    key: string,
    tags: readonly string[],
    background: boolean,
  ): Promise<L2Read | undefined> {
    const { l2, options, origin } = this.parts;
    if (l2 === undefined) return undefined;
    const token = `${origin}:${++this.loadCount}`;
    const read = this.lease
      ? await readWithLease(l2, key, tags, { ...this.lease, token }, background)
      : await l2.run('read', (store) => store.read(options.namespace, key));
    return read && { ...read, token };
  }

  private async releaseLease(key: string, token: string): Promise<void> {
    const { l2, options } = this.parts;
    await l2?.run('releaseLease', (store) => store.releaseLease(options.namespace, key, token));
  }

  private async runLoader(request: LoadRequest, read: L2Read | undefined): Promise<CacheResult<unknown>> {
    const { key, policy } = request;
    const { options, telemetry } = this.parts;
    const startedAt = options.waitClock.now();
    telemetry.loadStarted();
    let value: unknown;
    let loaded: EncodedEntry | undefined;
    try {
      value = await withTimeout(
        Promise.resolve().then(request.loader),
        policy.timeoutMs,
        options.waitClock,
        () => new CacheLoadTimeoutError(key, policy.timeoutMs),
      );
      if (policy.isCacheable?.(value) !== false) {
        loaded = createEntry(key, value, policy, options.clock.now(), options.jitter);
      }
    } catch (thrown) {
      return this.afterFailure(request, read, toError(thrown));
    }
    const durationMs = options.waitClock.now() - startedAt;
    if (loaded === undefined) await this.skipStore(request, read);
    else await this.store(request, loaded, read, durationMs);
    request.finish();
    telemetry.refreshed(key, durationMs);
    return { value: loaded === undefined ? value : loaded.entry.value, status: 'miss' };
  }

  // A refused value is still the source's latest answer: what it supersedes must not be served any more.
  private async skipStore(request: LoadRequest, read: L2Read | undefined): Promise<void> {
    const { key } = request;
    const { l1, loads } = this.parts;
    if (read?.leased) await this.releaseLease(key, read.token);
    // A fenced load was overtaken by a newer set or invalidation, whose outcome stands.
    const superseded = l1.get(key) !== undefined || read?.payload !== undefined;
    if (superseded && !loads.isFenced(key, request.policy.tags, request.startSeq)) await this.parts.drop(key);
  }

  private async afterFailure(
    request: LoadRequest,
    read: L2Read | undefined,
    error: Error,
  ): Promise<CacheResult<unknown>> {
    const { key, fallback } = request;
    const { options, telemetry } = this.parts;
    if (read?.leased) await this.releaseLease(key, read.token);
    const now = options.clock.now();
    const servable =
      fallback !== undefined &&
      now < fallback.errorUntil &&
      !this.parts.loads.isFenced(key, fallback.tags, request.startSeq);
    request.finish();
    telemetry.refreshFailed(key, error);
    if (!servable) throw error;
    telemetry.stale(key, now - fallback.createdAt, 'error');
    return { value: fallback.value, status: 'stale-on-error' };
  }

  private async store(
    request: LoadRequest,
    { entry, payload }: EncodedEntry,
    read: L2Read | undefined,
    durationMs: number,
  ): Promise<void> {
    const { key, startSeq } = request;
    const { options, l1, l2, loads } = this.parts;
    let accepted = !loads.isFenced(key, entry.tags, startSeq);
    if (l2 !== undefined && read !== undefined) {
      // Past the fence window L2 no longer remembers invalidations, so a write could resurrect stale data.
      const write = accepted && durationMs < options.fenceWindowMs;
      const leaseToken = read.leased ? read.token : undefined;
      const written = write
        ? await l2.run('write', (store) =>
            store.write(options.namespace, key, payload, {
              ttlMs: remainingLifetime(entry, options.clock.now()),
              tags: entry.tags,
              fence: read.fence,
              leaseToken,
            }),
          )
        : leaseToken && (await this.releaseLease(key, leaseToken));
      if (written === false) accepted = false;
    }
    // Checked again: an invalidation may have arrived while L2 was being written.
    if (accepted && !loads.isFenced(key, entry.tags, startSeq)) l1.set(key, entry);
  }
}
