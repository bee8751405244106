export { type Clock, type Duration, type NowClock, systemClock } from '@perfkit/primitives';
export type { BusMessage, BusSubscriber, CacheBus } from './bus/cache-bus.js';
export { type Cache, type CacheLike, createCache } from './cache.js';
export type { CacheResult, CacheStatus } from './cache-entry.js';
export type {
  CacheBusEvent,
  CacheEventListener,
  CacheEventMap,
  CacheEventName,
  CacheEvictEvent,
  CacheHitEvent,
  CacheL2ErrorEvent,
  CacheMissEvent,
  CacheRefreshErrorEvent,
  CacheRefreshEvent,
  CacheStaleEvent,
  EvictReason,
} from './cache-events.js';
export { CACHE_DEFAULTS, type CacheOptions, type EntryOptions, type LoadOptions } from './cache-options.js';
export type { CacheStats } from './cache-stats.js';
export {
  CacheBusMessageError,
  CacheError,
  type CacheErrorCode,
  CacheL2Error,
  CacheLoadTimeoutError,
  CacheOptionsError,
  CacheSerializationError,
} from './errors.js';
export type { CacheStore, LeaseRequest, StoreReadResult, StoreWriteOptions } from './store/cache-store.js';
