import type { MonitorMetrics } from '../metrics/monitor-metrics.js';
import { type EventSource, type Listeners, subscribeAll } from './subscribe.js';

/**
 * The events of `@perfkit/cache` the monitor subscribes to, declared
 * structurally so that the monitor does not import the cache.
 *
 * @example
 * ```ts
 * const stop = monitor.watchCache(cache satisfies CacheEventSource);
 * ```
 */
export interface CacheEvents {
  hit: { namespace: string; key: string; layer: 'l1' | 'l2' };
  miss: { namespace: string; key: string };
  stale: { namespace: string; key: string; ageMs: number; reason: 'swr' | 'error' };
  refresh: { namespace: string; key: string; durationMs: number };
  'refresh-error': { namespace: string; key: string; error: Error };
  evict: { namespace: string; key: string; reason: string };
  'l2-error': { namespace: string; operation: string; error: Error };
  bus: { namespace: string; state: 'connected' | 'disconnected' | 'gap' | 'flushed' | 'rejected' };
}

/**
 * Anything with `on` / `off` for {@link CacheEvents}: `@perfkit/cache`'s cache, or a Node `EventEmitter`.
 *
 * @example
 * ```ts
 * const source: CacheEventSource = createCache({ namespace: 'dashboard' });
 * ```
 */
export type CacheEventSource = EventSource<CacheEvents>;

/**
 * Lookup counts of one cache namespace since start-up.
 *
 * @example
 * ```ts
 * const { hitRatio } = monitor.snapshot().cache[0]!;
 * ```
 */
export interface CacheNamespaceStats {
  namespace: string;
  hits: number;
  misses: number;
  stale: number;
  /** `hits / (hits + misses + stale)`, 0 before any lookup. */
  hitRatio: number;
}

/**
 * Turns cache events into metrics labelled by namespace — never by key,
 * which would be one series per cached item.
 */
export class CacheWatcher {
  private readonly counts = new Map<string, { hits: number; misses: number; stale: number }>();

  constructor(private readonly metrics: MonitorMetrics) {}

  /** Subscribes to `source`; returns the function that unsubscribes. */
  watch(source: CacheEventSource): () => void {
    const m = this.metrics;
    const listeners: Listeners<CacheEvents> = {
      hit: (e) => {
        this.countsOf(e.namespace).hits++;
        m.cacheLookups.inc({ cache_namespace: e.namespace, result: 'hit', layer: e.layer });
      },
      miss: (e) => {
        this.countsOf(e.namespace).misses++;
        m.cacheLookups.inc({ cache_namespace: e.namespace, result: 'miss' });
      },
      stale: (e) => {
        this.countsOf(e.namespace).stale++;
        m.cacheLookups.inc({ cache_namespace: e.namespace, result: 'stale', reason: e.reason });
      },
      refresh: (e) => m.cacheRefresh.observe({ cache_namespace: e.namespace }, e.durationMs / 1000),
      'refresh-error': (e) => m.cacheErrors.inc({ cache_namespace: e.namespace, operation: 'refresh' }),
      evict: (e) => m.cacheEvictions.inc({ cache_namespace: e.namespace, reason: e.reason }),
      'l2-error': (e) => m.cacheErrors.inc({ cache_namespace: e.namespace, operation: `l2-${e.operation}` }),
      bus: (e) => m.cacheBus.inc({ cache_namespace: e.namespace, state: e.state }),
    };
    return subscribeAll(source, listeners);
  }

  stats(): CacheNamespaceStats[] {
    return [...this.counts].map(([namespace, { hits, misses, stale }]) => {
      const lookups = hits + misses + stale;
      return { namespace, hits, misses, stale, hitRatio: lookups === 0 ? 0 : hits / lookups };
    });
  }

  private countsOf(namespace: string) {
    let counts = this.counts.get(namespace);
    if (counts === undefined) {
      counts = { hits: 0, misses: 0, stale: 0 };
      this.counts.set(namespace, counts);
    }
    return counts;
  }
}
