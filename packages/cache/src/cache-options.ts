import {
  type Clock,
  checkNumber,
  type Duration,
  type NowClock,
  parseDuration,
  parseTimerDuration,
  systemClock,
  withDefaults,
} from '@perfkit/primitives';
import type { CacheBus } from './bus/cache-bus.js';
import type { EntryPolicy } from './cache-entry.js';
import { CacheOptionsError } from './errors.js';
import type { CacheStore } from './store/cache-store.js';

/**
 * Options of `createCache`. Every field is optional; defaults are in `CACHE_DEFAULTS`.
 *
 * @example
 * const options: CacheOptions = { namespace: 'perfkit', ttl: '30s', swr: '5m', l2: createRedisStore(redis) };
 */
export interface CacheOptions {
  /** Scope of keys, tags, `clear()` and bus messages. Default `'default'`. */
  namespace?: string;
  /** How long an entry is fresh. Default `'1m'`. */
  ttl?: Duration;
  /** After ttl, how long the entry is served stale while one background refresh runs. Default `0`. */
  swr?: Duration;
  /** After ttl, how long the entry may be served when the loader fails. Default `0`. */
  staleIfError?: Duration;
  /** Fraction (0 ≤ j < 1) of ttl removed at random per entry, so entries do not expire together. Default `0.1`. */
  jitter?: number;
  /** How long a loader may run before the call fails (or falls back to stale-if-error). Default `'10s'`. */
  timeout?: Duration;
  /** L1 bound by entry count. Default `10_000`. */
  l1MaxEntries?: number;
  /** L1 bound by serialized bytes (UTF-16 code units of the stored JSON). Default `67_108_864` (64 MiB). */
  l1MaxBytes?: number;
  /** Shared second tier, e.g. `createRedisStore(redis)` from `@perfkit/cache/redis`. Default none. */
  l2?: CacheStore;
  /** Invalidation bus between instances, e.g. `createRedisBus(redis)`. Default none. */
  bus?: CacheBus;
  /** Take a lease in L2 before loading, so instances missing the same key run one loader. Default `false`. */
  lease?: boolean;
  /** How long a lease lives if its holder never releases it. Default `'10s'`. */
  leaseTtl?: Duration;
  /** How long a caller waits for another instance's lease before loading itself. Default `'10s'`. */
  leaseWait?: Duration;
  /** How often a waiting caller checks L2 for the leased value. Default `'20ms'`. */
  leasePollInterval?: Duration;
  /** Time limit of each L2 operation; past it the cache carries on without L2. Default `'250ms'`. */
  l2Timeout?: Duration;
  /**
   * Time limit of L2 operations until L2 has answered once: a starting instance waits this long for its
   * connection instead of loading without the lease. Never shorter than `l2Timeout`. Default `'1s'`.
   */
  l2ConnectTimeout?: Duration;
  /** Consecutive L2 failures that open the circuit (L2 skipped). Default `3`. */
  circuitThreshold?: number;
  /** How long the circuit stays open before L2 is tried again. Default `'5s'`. */
  circuitCooldown?: Duration;
  /**
   * How long L2 remembers a delete or an invalidation to reject late writes of loads that started before
   * it; a load that takes longer is returned but not stored. Default `'1m'`.
   */
  fenceWindow?: Duration;
  /**
   * Time source of freshness and circuit decisions, load durations, timeouts and lease polling. Default
   * `systemClock`. A clock without `sleep` decides freshness and circuit cool-downs only; waits and load
   * durations then run on `systemClock`.
   */
  clock?: Clock | NowClock;
}

/**
 * Per-call options of `getOrSet` and `set`; unset fields fall back to the cache's options.
 *
 * @example
 * await cache.getOrSet('overview:user:42', load, { ttl: '30s', swr: '5m', tags: ['user:42'] });
 */
export interface EntryOptions {
  ttl?: Duration;
  swr?: Duration;
  staleIfError?: Duration;
  /** Tags for `invalidateTags`, e.g. `['user:42', 'agent:7']`. Default none. */
  tags?: readonly string[];
  /** Loader time limit. */
  timeout?: Duration;
}

/**
 * Per-call options of `getOrSet` and `getOrSetWithStatus`: an entry's options, and which loaded values to keep.
 *
 * @example
 * await cache.getOrSet(hash, async () => (await findUserId(key)) ?? null, { isCacheable: (id) => id !== null });
 */
export interface LoadOptions<T> extends EntryOptions {
  /**
   * Whether a loaded value is stored. A refused value is returned (to every caller joined to the load) but
   * not stored, and the entry it supersedes is deleted as by `delete`, so it is not served stale later
   * either. Default: every value is stored.
   */
  isCacheable?: (value: T) => boolean;
}

/**
 * The defaults of every `CacheOptions` field, in one place.
 *
 * @example
 * CACHE_DEFAULTS.ttl; // '1m'
 */
export const CACHE_DEFAULTS = Object.freeze({
  namespace: 'default',
  ttl: '1m',
  swr: 0,
  staleIfError: 0,
  jitter: 0.1,
  timeout: '10s',
  l1MaxEntries: 10_000,
  l1MaxBytes: 64 * 1024 * 1024,
  lease: false,
  leaseTtl: '10s',
  leaseWait: '10s',
  leasePollInterval: '20ms',
  l2Timeout: '250ms',
  l2ConnectTimeout: '1s',
  circuitThreshold: 3,
  circuitCooldown: '5s',
  fenceWindow: '1m',
} as const satisfies Required<Omit<CacheOptions, 'l2' | 'bus' | 'clock'>>);

/** `CacheOptions` with defaults applied and durations in ms. */
export interface ResolvedCacheOptions {
  namespace: string;
  policy: EntryPolicy;
  jitter: number;
  timeoutMs: number;
  l1MaxEntries: number;
  l1MaxBytes: number;
  l2: CacheStore | undefined;
  bus: CacheBus | undefined;
  lease: boolean;
  leaseTtlMs: number;
  leaseWaitMs: number;
  leasePollMs: number;
  l2TimeoutMs: number;
  l2ConnectTimeoutMs: number;
  circuitThreshold: number;
  circuitCooldownMs: number;
  fenceWindowMs: number;
  /** Decides freshness and circuit cool-downs. */
  clock: NowClock;
  /** Times waits (timeouts, lease polling) and load durations: `clock` itself when it can sleep. */
  waitClock: Clock;
}

const POSITIVE_INTEGER = { min: 1, integer: true };
/** lru-cache allocates its index for `max` entries up front: 10 million take about 240 MB of an empty cache. */
const MAX_L1_ENTRIES = 10_000_000;

function durationOption(value: Duration, option: string): number {
  return parseDuration(value, option, CacheOptionsError);
}

// Redis rejects a PX of 0, and a zero ttl would store nothing.
function positiveDuration(value: Duration, option: string): number {
  return parseDuration(value, option, CacheOptionsError, { positive: true });
}

// A wait on the clock: bounded by what a timer keeps; a time limit of 0 would end every call at once.
function waitOption(value: Duration, option: string, { positive = false } = {}): number {
  return parseTimerDuration(value, option, CacheOptionsError, { positive });
}

/**
 * `tags` if it is an array of non-empty strings, else a `CacheOptionsError` naming `tags`.
 *
 * @example
 * checkTags(['user:42']); // ['user:42']
 */
export function checkTags(tags: readonly string[]): readonly string[] {
  if (!Array.isArray(tags) || tags.some((tag) => typeof tag !== 'string' || tag === '')) {
    throw new CacheOptionsError('tags', 'must be an array of non-empty strings');
  }
  return tags;
}

function validTags(tags: readonly string[] | undefined): readonly string[] {
  return tags === undefined ? [] : checkTags(tags);
}

/**
 * Applies defaults and validates every option, throwing `CacheOptionsError` with the exact problem.
 *
 * @example
 * resolveCacheOptions({ ttl: '30s' }).policy.ttlMs; // 30000
 */
export function resolveCacheOptions(given: CacheOptions = {}): ResolvedCacheOptions {
  const options = given ?? {}; // null too, from JavaScript
  const o = withDefaults(CACHE_DEFAULTS, options);
  if (typeof o.namespace !== 'string' || o.namespace === '' || o.namespace.includes(':')) {
    throw new CacheOptionsError('namespace', 'must be a non-empty string without ":"');
  }
  if (typeof o.jitter !== 'number' || !(o.jitter >= 0 && o.jitter < 1)) {
    throw new CacheOptionsError('jitter', `must be a number in [0, 1), got ${o.jitter}`);
  }
  if (options.l2 !== undefined && typeof options.l2?.read !== 'function') {
    throw new CacheOptionsError('l2', 'must be a CacheStore such as createRedisStore(redis)');
  }
  if (options.bus !== undefined && typeof options.bus?.subscribe !== 'function') {
    throw new CacheOptionsError('bus', 'must be a CacheBus such as createRedisBus(redis)');
  }
  if (options.clock !== undefined && typeof options.clock?.now !== 'function') {
    throw new CacheOptionsError('clock', 'must be a Clock: { now(), sleep(ms, signal?) }');
  }
  const ttlMs = positiveDuration(o.ttl, 'ttl');
  const l2TimeoutMs = waitOption(o.l2Timeout, 'l2Timeout', { positive: true });
  return {
    namespace: o.namespace,
    policy: {
      ttlMs,
      swrMs: durationOption(o.swr, 'swr'),
      staleIfErrorMs: durationOption(o.staleIfError, 'staleIfError'),
      tags: [],
    },
    jitter: o.jitter,
    timeoutMs: waitOption(o.timeout, 'timeout', { positive: true }),
    l1MaxEntries: checkNumber(
      o.l1MaxEntries,
      'l1MaxEntries',
      { ...POSITIVE_INTEGER, max: MAX_L1_ENTRIES },
      CacheOptionsError,
    ),
    l1MaxBytes: checkNumber(o.l1MaxBytes, 'l1MaxBytes', POSITIVE_INTEGER, CacheOptionsError),
    l2: options.l2,
    bus: options.bus,
    lease: Boolean(o.lease),
    leaseTtlMs: positiveDuration(o.leaseTtl, 'leaseTtl'),
    leaseWaitMs: waitOption(o.leaseWait, 'leaseWait'),
    leasePollMs: Math.max(1, waitOption(o.leasePollInterval, 'leasePollInterval')),
    l2TimeoutMs,
    l2ConnectTimeoutMs: Math.max(l2TimeoutMs, waitOption(o.l2ConnectTimeout, 'l2ConnectTimeout')),
    circuitThreshold: checkNumber(
      o.circuitThreshold,
      'circuitThreshold',
      POSITIVE_INTEGER,
      CacheOptionsError,
    ),
    circuitCooldownMs: durationOption(o.circuitCooldown, 'circuitCooldown'),
    fenceWindowMs: positiveDuration(o.fenceWindow, 'fenceWindow'),
    ...clocksOf(options.clock ?? systemClock),
  };
}

/** Per-call options resolved against the cache's defaults. */
export interface ResolvedEntryOptions extends EntryPolicy {
  timeoutMs: number;
  isCacheable?: (value: unknown) => boolean;
}

/**
 * Resolves one call's options; the no-options case returns a shared object, so it costs nothing.
 *
 * @example
 * resolveEntryOptions({ ttl: '5s' }, resolved).ttlMs; // 5000
 */
export function resolveEntryOptions(
  options: LoadOptions<never> | undefined,
  defaults: ResolvedEntryOptions,
): ResolvedEntryOptions {
  if (options === undefined || options === null) return defaults;
  const { isCacheable } = options;
  if (isCacheable !== undefined && typeof isCacheable !== 'function') {
    throw new CacheOptionsError('isCacheable', 'must be a function (value) => boolean');
  }
  return {
    isCacheable: isCacheable as ResolvedEntryOptions['isCacheable'],
    ttlMs: options.ttl === undefined ? defaults.ttlMs : durationOption(options.ttl, 'ttl'),
    swrMs: options.swr === undefined ? defaults.swrMs : durationOption(options.swr, 'swr'),
    staleIfErrorMs:
      options.staleIfError === undefined
        ? defaults.staleIfErrorMs
        : durationOption(options.staleIfError, 'staleIfError'),
    tags: validTags(options.tags),
    timeoutMs:
      options.timeout === undefined
        ? defaults.timeoutMs
        : waitOption(options.timeout, 'timeout', { positive: true }),
  };
}

/** Splits an injected clock into the one that decides freshness and the one that times waits. */
function clocksOf(clock: Clock | NowClock): { clock: NowClock; waitClock: Clock } {
  // A clock without `sleep` cannot wait; its `now` (often frozen in tests) must not time the waits either.
  const canSleep = 'sleep' in clock && typeof clock.sleep === 'function';
  return { clock, waitClock: canSleep ? clock : systemClock };
}
