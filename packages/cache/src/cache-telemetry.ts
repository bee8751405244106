import type { EvictReason } from './cache-events.js';
import {
  type CacheBusEvent,
  type CacheEventListener,
  type CacheEventName,
  CacheEvents,
} from './cache-events.js';
import { type CacheCounters, createCounters } from './cache-stats.js';
import type { CacheBusMessageError } from './errors.js';

/**
 * What a cache tells the outside: each call counts for `stats()` and emits the matching event. Payloads are
 * built only when someone listens, so the hot paths pay a counter increment and a length check.
 *
 * @example
 * telemetry.hit('overview:user:42', 'l2');
 */
export class CacheTelemetry {
  readonly counters: CacheCounters = createCounters();
  private readonly events = new CacheEvents();

  constructor(private readonly namespace: string) {}

  on<E extends CacheEventName>(event: E, listener: CacheEventListener<E>): void {
    this.events.on(event, listener);
  }

  off<E extends CacheEventName>(event: E, listener: CacheEventListener<E>): void {
    this.events.off(event, listener);
  }

  hit(key: string, layer: 'l1' | 'l2'): void {
    if (layer === 'l1') this.counters.l1Hits += 1;
    else this.counters.l2Hits += 1;
    if (this.events.has('hit')) this.events.emit('hit', { namespace: this.namespace, key, layer });
  }

  /** Once per load, not per caller joining it; and once per `peek` that finds nothing. */
  miss(key: string): void {
    this.counters.misses += 1;
    if (this.events.has('miss')) this.events.emit('miss', { namespace: this.namespace, key });
  }

  /** An aged-out value was served: `swr` while a refresh runs, `error` because the loader failed. */
  stale(key: string, ageMs: number, reason: 'swr' | 'error'): void {
    if (reason === 'swr') this.counters.stale += 1;
    else this.counters.staleOnError += 1;
    if (this.events.has('stale'))
      this.events.emit('stale', { namespace: this.namespace, key, ageMs, reason });
  }

  loadStarted(): void {
    this.counters.loads += 1;
  }

  refreshed(key: string, durationMs: number): void {
    if (this.events.has('refresh')) {
      this.events.emit('refresh', { namespace: this.namespace, key, durationMs });
    }
  }

  refreshFailed(key: string, error: Error): void {
    this.counters.loadErrors += 1;
    if (this.events.has('refresh-error')) {
      this.events.emit('refresh-error', { namespace: this.namespace, key, error });
    }
  }

  evicted(key: string, reason: EvictReason): void {
    this.counters.evictions += 1;
    if (this.events.has('evict')) this.events.emit('evict', { namespace: this.namespace, key, reason });
  }

  l2Failed(operation: string, error: Error): void {
    this.counters.l2Errors += 1;
    if (this.events.has('l2-error')) {
      this.events.emit('l2-error', { namespace: this.namespace, operation, error });
    }
  }

  bus(state: CacheBusEvent['state'], error?: CacheBusMessageError): void {
    if (this.events.has('bus')) {
      this.events.emit('bus', {
        namespace: this.namespace,
        state,
        ...(error === undefined ? {} : { error }),
      });
    }
  }
}
