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

/** One namespace's lookups since start-up, by result and layer or reason. */
class NamespaceLookups {
  hitsL1 = 0;
  hitsL2 = 0;
  misses = 0;
  staleSwr = 0;
  staleError = 0;
}

type LookupLabels = { cache_namespace: string; result: string; layer?: string; reason?: string };

/**
 * The lookup counts behind `cache_lookups_total`, kept as plain numbers and
 * read at scrape time: a lookup is the hottest event (a list of agents is
 * one per config), and prom-client hashes an object of labels on every
 * `inc()`.
 */
export class CacheLookupCounts {
  private readonly byNamespace = new Map<string, NamespaceLookups>();

  of(namespace: string): NamespaceLookups {
    let lookups = this.byNamespace.get(namespace);
    if (lookups === undefined) {
      lookups = new NamespaceLookups();
      this.byNamespace.set(namespace, lookups);
    }
    return lookups;
  }

  /** Every count above zero with its labels, as `cache_lookups_total` exports it. */
  *series(): Generator<[LookupLabels, number]> {
    for (const [ns, l] of this.byNamespace) {
      const all: [LookupLabels, number][] = [
        [{ cache_namespace: ns, result: 'hit', layer: 'l1' }, l.hitsL1],
        [{ cache_namespace: ns, result: 'hit', layer: 'l2' }, l.hitsL2],
        [{ cache_namespace: ns, result: 'miss' }, l.misses],
        [{ cache_namespace: ns, result: 'stale', reason: 'swr' }, l.staleSwr],
        [{ cache_namespace: ns, result: 'stale', reason: 'error' }, l.staleError],
      ];
      for (const entry of all) if (entry[1] > 0) yield entry;
    }
  }

  stats(): CacheNamespaceStats[] {
    return [...this.byNamespace].map(([namespace, l]) => {
      const hits = l.hitsL1 + l.hitsL2;
      const stale = l.staleSwr + l.staleError;
      const lookups = hits + l.misses + stale;
      return { namespace, hits, misses: l.misses, stale, hitRatio: lookups === 0 ? 0 : hits / lookups };
    });
  }
}

/**
 * Turns cache events into metrics labelled by namespace — never by key,
 * which would be one series per cached item.
 */
export class CacheWatcher {
  constructor(
    private readonly metrics: MonitorMetrics,
    private readonly lookups: CacheLookupCounts,
  ) {}

  /** Subscribes to `source`; returns the function that unsubscribes. */
  watch(source: CacheEventSource): () => void {
    const m = this.metrics;
    const listeners: Listeners<CacheEvents> = {
      hit: (e) => {
        const lookups = this.lookups.of(e.namespace);
        if (e.layer === 'l1') lookups.hitsL1++;
        else lookups.hitsL2++;
      },
      miss: (e) => {
        this.lookups.of(e.namespace).misses++;
      },
      stale: (e) => {
        const lookups = this.lookups.of(e.namespace);
        if (e.reason === 'swr') lookups.staleSwr++;
        else lookups.staleError++;
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
    return this.lookups.stats();
  }
}
