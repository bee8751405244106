import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { type CacheEvents, createMonitor } from '../../src/index.js';

function emit<E extends keyof CacheEvents>(cache: EventEmitter, event: E, payload: CacheEvents[E]): void {
  cache.emit(event, payload);
}

describe('cache watcher', () => {
  it('counts hits, misses and stale reads per namespace and layer, never per key', async () => {
    const monitor = createMonitor({ processMetrics: false, accessLog: false });
    const cache = new EventEmitter();
    monitor.watchCache(cache);
    emit(cache, 'hit', { namespace: 'dashboard', key: 'user:1:overview', layer: 'l1' });
    emit(cache, 'hit', { namespace: 'dashboard', key: 'user:2:overview', layer: 'l1' });
    emit(cache, 'hit', { namespace: 'dashboard', key: 'user:3:overview', layer: 'l2' });
    emit(cache, 'miss', { namespace: 'dashboard', key: 'user:4:overview' });
    emit(cache, 'stale', { namespace: 'agents', key: 'user:1', ageMs: 4000, reason: 'swr' });
    emit(cache, 'refresh', { namespace: 'agents', key: 'user:1', durationMs: 30 });
    emit(cache, 'refresh-error', { namespace: 'agents', key: 'user:1', error: new Error('db down') });
    emit(cache, 'evict', { namespace: 'agents', key: 'user:9', reason: 'capacity' });
    emit(cache, 'l2-error', { namespace: 'agents', operation: 'get', error: new Error('redis down') });
    emit(cache, 'bus', { namespace: 'agents', state: 'gap' });

    const exposition = await monitor.registry.metrics();
    expect(exposition).not.toContain('user:');
    for (const line of [
      'cache_lookups_total{cache_namespace="dashboard",result="hit",layer="l1"} 2',
      'cache_lookups_total{cache_namespace="dashboard",result="hit",layer="l2"} 1',
      'cache_lookups_total{cache_namespace="dashboard",result="miss"} 1',
      'cache_lookups_total{cache_namespace="agents",result="stale",reason="swr"} 1',
      'cache_refresh_duration_seconds_count{cache_namespace="agents"} 1',
      'cache_errors_total{cache_namespace="agents",operation="refresh"} 1',
      'cache_errors_total{cache_namespace="agents",operation="l2-get"} 1',
      'cache_evictions_total{cache_namespace="agents",reason="capacity"} 1',
      'cache_bus_events_total{cache_namespace="agents",state="gap"} 1',
    ]) {
      expect(exposition).toContain(line);
    }
    expect(monitor.snapshot().cache).toEqual([
      { namespace: 'dashboard', hits: 3, misses: 1, stale: 0, hitRatio: 0.75 },
      { namespace: 'agents', hits: 0, misses: 0, stale: 1, hitRatio: 0 },
    ]);
  });

  it('stops counting once unsubscribed', () => {
    const monitor = createMonitor({ processMetrics: false, accessLog: false });
    const cache = new EventEmitter();
    const stop = monitor.watchCache(cache);
    emit(cache, 'miss', { namespace: 'dashboard', key: 'k' });
    stop();
    emit(cache, 'miss', { namespace: 'dashboard', key: 'k' });
    expect(monitor.snapshot().cache[0]?.misses).toBe(1);
    expect(cache.eventNames()).toEqual([]);
  });
});
