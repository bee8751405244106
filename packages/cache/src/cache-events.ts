import type { CacheBusMessageError } from './errors.js';

/**
 * A value was served fresh from L1 or L2.
 *
 * @example
 * cache.on('hit', (e: CacheHitEvent) => hits.inc({ layer: e.layer }));
 */
export interface CacheHitEvent {
  namespace: string;
  key: string;
  layer: 'l1' | 'l2';
}

/**
 * Neither tier had a servable value, so the loader runs; once per load, not per caller joining it. A `peek`
 * that finds nothing counts one too (its caller loads).
 *
 * @example
 * cache.on('miss', (e: CacheMissEvent) => misses.inc());
 */
export interface CacheMissEvent {
  namespace: string;
  key: string;
}

/**
 * An aged-out value was served: during stale-while-revalidate, or because the loader failed.
 *
 * @example
 * cache.on('stale', (e: CacheStaleEvent) => staleAge.observe(e.ageMs));
 */
export interface CacheStaleEvent {
  namespace: string;
  key: string;
  ageMs: number;
  reason: 'swr' | 'error';
}

/**
 * A loader call succeeded (foreground or background); emitted once its result is stored, or fenced out by
 * an invalidation, so the load is over. `durationMs` is the loader's own time.
 *
 * @example
 * cache.on('refresh', (e: CacheRefreshEvent) => loadTime.observe(e.durationMs));
 */
export interface CacheRefreshEvent {
  namespace: string;
  key: string;
  durationMs: number;
}

/**
 * A loader call failed or timed out (foreground or background).
 *
 * @example
 * cache.on('refresh-error', (e: CacheRefreshErrorEvent) => log.warn(e.error));
 */
export interface CacheRefreshErrorEvent {
  namespace: string;
  key: string;
  error: Error;
}

/** Why an entry left L1, as reported by the `evict` event. */
export type EvictReason = 'capacity' | 'expired' | 'deleted' | 'invalidated' | 'flushed';

/**
 * An entry left L1: pushed out by the L1 bounds (`capacity`), found gone by a load (`expired`), removed by a
 * `delete` or another instance's `set` (`deleted`) or by `invalidateTags` (`invalidated`), or emptied with
 * all of L1 (`flushed`: `clear`, `flushL1`, a bus gap or reconnection, L2's recovery after an outage).
 *
 * @example
 * cache.on('evict', (e: CacheEvictEvent) => evictions.inc({ reason: e.reason }));
 */
export interface CacheEvictEvent {
  namespace: string;
  key: string;
  reason: EvictReason;
}

/**
 * An L2 operation failed or was skipped by the open circuit; the call carried on without L2.
 *
 * @example
 * cache.on('l2-error', (e: CacheL2ErrorEvent) => log.warn(e.operation, e.error));
 */
export interface CacheL2ErrorEvent {
  namespace: string;
  operation: string;
  error: Error;
}

/**
 * The invalidation bus changed state; `gap` and `flushed` mean L1 was emptied to stay correct;
 * `rejected` means a malformed message arrived on the channel and was ignored (`error` says why).
 *
 * @example
 * cache.on('bus', (e: CacheBusEvent) => busState.set(e.state === 'connected' ? 1 : 0));
 */
export interface CacheBusEvent {
  namespace: string;
  state: 'connected' | 'disconnected' | 'gap' | 'flushed' | 'rejected';
  /** Only with `rejected`. */
  error?: CacheBusMessageError;
}

/**
 * Every event of a cache with its payload type.
 *
 * @example
 * const onHit = (e: CacheEventMap['hit']) => hits.inc({ layer: e.layer });
 */
export interface CacheEventMap {
  hit: CacheHitEvent;
  miss: CacheMissEvent;
  stale: CacheStaleEvent;
  refresh: CacheRefreshEvent;
  'refresh-error': CacheRefreshErrorEvent;
  evict: CacheEvictEvent;
  'l2-error': CacheL2ErrorEvent;
  bus: CacheBusEvent;
}

/**
 * Name of a cache event.
 *
 * @example
 * const names: CacheEventName[] = ['hit', 'miss'];
 */
export type CacheEventName = keyof CacheEventMap;

/**
 * Listener of one cache event.
 *
 * @example
 * const onStale: CacheEventListener<'stale'> = (e) => console.log(e.key, e.ageMs);
 */
export type CacheEventListener<E extends CacheEventName> = (payload: CacheEventMap[E]) => void;

type AnyListener = (payload: CacheEventMap[CacheEventName]) => void;

/** Typed listener lists; `has` lets hot paths skip building payloads nobody reads. */
export class CacheEvents {
  private readonly listeners: Record<CacheEventName, readonly AnyListener[]> = {
    hit: [],
    miss: [],
    stale: [],
    refresh: [],
    'refresh-error': [],
    evict: [],
    'l2-error': [],
    bus: [],
  };

  has(event: CacheEventName): boolean {
    return this.listeners[event].length !== 0;
  }

  on<E extends CacheEventName>(event: E, listener: CacheEventListener<E>): void {
    // Copy on write, so an emit in progress iterates a stable list.
    this.listeners[event] = [...this.listeners[event], listener as AnyListener];
  }

  off<E extends CacheEventName>(event: E, listener: CacheEventListener<E>): void {
    this.listeners[event] = this.listeners[event].filter((l) => l !== listener);
  }

  emit<E extends CacheEventName>(event: E, payload: CacheEventMap[E]): void {
    for (const listener of this.listeners[event]) {
      // A failing subscriber (metrics, logging) must never break serving, nor an async one crash the process.
      try {
        const result: unknown = listener(payload);
        if (typeof (result as PromiseLike<unknown> | undefined)?.then === 'function') {
          (result as PromiseLike<unknown>).then(undefined, ignore);
        }
      } catch {}
    }
  }
}

function ignore(): void {}
