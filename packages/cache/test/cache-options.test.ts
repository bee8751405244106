import { systemClock } from '@perfkit/primitives';
import { describe, expect, it } from 'vitest';
import { CACHE_DEFAULTS, resolveCacheOptions, resolveEntryOptions } from '../src/cache-options.js';

describe('resolveCacheOptions', () => {
  it('applies the documented defaults when nothing is given', () => {
    const resolved = resolveCacheOptions();
    expect(resolved.namespace).toBe(CACHE_DEFAULTS.namespace);
    expect(resolved.policy).toEqual({ ttlMs: 60_000, swrMs: 0, staleIfErrorMs: 0, tags: [] });
    expect(resolved.timeoutMs).toBe(10_000);
    expect(resolved.l1MaxEntries).toBe(10_000);
    expect(resolved.l2TimeoutMs).toBe(250);
    expect(resolved.l2ConnectTimeoutMs).toBe(1_000);
    expect(resolved.lease).toBe(false);
  });

  it('never lets a starting instance give up on L2 sooner than a running one', () => {
    expect(resolveCacheOptions({ l2Timeout: '2s', l2ConnectTimeout: '1s' }).l2ConnectTimeoutMs).toBe(2_000);
    expect(() => resolveCacheOptions({ l2ConnectTimeout: 'soon' as '1s' })).toThrow(/l2ConnectTimeout/);
  });

  it('parses durations given as strings or numbers', () => {
    const resolved = resolveCacheOptions({ ttl: '30s', swr: 5000, staleIfError: '1h', l2Timeout: '50ms' });
    expect(resolved.policy.ttlMs).toBe(30_000);
    expect(resolved.policy.swrMs).toBe(5_000);
    expect(resolved.policy.staleIfErrorMs).toBe(3_600_000);
    expect(resolved.l2TimeoutMs).toBe(50);
  });

  it('reads durations with the grammar every perfkit package shares: bare ms, days, white space', () => {
    const resolved = resolveCacheOptions({ ttl: '1500', swr: '2 m', staleIfError: '1d' });
    expect(resolved.policy).toMatchObject({ ttlMs: 1500, swrMs: 120_000, staleIfErrorMs: 86_400_000 });
  });

  it('rejects invalid options up front with an exact message', () => {
    expect(() => resolveCacheOptions({ namespace: 'a:b' })).toThrow(
      'cache: namespace must be a non-empty string without ":"',
    );
    expect(() => resolveCacheOptions({ jitter: 1 })).toThrow(
      'cache: jitter must be a number in [0, 1), got 1',
    );
    expect(() => resolveCacheOptions({ ttl: 0 })).toThrow('cache: ttl must be longer than 0 ms, got 0');
    expect(() => resolveCacheOptions({ fenceWindow: '0s' })).toThrow(
      'cache: fenceWindow must be longer than 0 ms, got "0s"',
    );
    expect(() => resolveCacheOptions({ l2: {} as never })).toThrow(
      'cache: l2 must be a CacheStore such as createRedisStore(redis)',
    );
    expect(() => resolveCacheOptions({ clock: {} as never })).toThrow(
      'cache: clock must be a Clock: { now(), sleep(ms, signal?) }',
    );
    expect(() => resolveCacheOptions({ l1MaxEntries: 0 })).toThrow(
      'cache: l1MaxEntries must be an integer >= 1 and <= 10000000, got 0',
    );
    // lru-cache would allocate its index for all of them up front: 4.4 GB for 50 million.
    expect(() => resolveCacheOptions({ l1MaxEntries: 5e7 })).toThrow(/l1MaxEntries/);
  });
});

describe('waits on a timer', () => {
  it('are bounded by the longest timer Node.js keeps, which would otherwise fire after 1 ms', () => {
    for (const option of [
      'timeout',
      'leaseWait',
      'leasePollInterval',
      'l2Timeout',
      'l2ConnectTimeout',
    ] as const) {
      expect(() => resolveCacheOptions({ [option]: '30d' })).toThrow(
        `cache: ${option} must be at most 2147483647 ms`,
      );
    }
    const entryDefaults = { ttlMs: 1000, swrMs: 0, staleIfErrorMs: 0, tags: [], timeoutMs: 10 };
    expect(() => resolveEntryOptions({ timeout: '30d' }, entryDefaults)).toThrow(
      'cache: timeout must be at most 2147483647 ms',
    );
    // Not a timer: an entry may live for a month.
    expect(resolveCacheOptions({ ttl: '30d' }).policy.ttlMs).toBe(30 * 86_400_000);
  });

  it('that limit a call are longer than 0, which would end every call before it starts', () => {
    expect(() => resolveCacheOptions({ timeout: 0 })).toThrow(
      'cache: timeout must be longer than 0 ms, got 0',
    );
    expect(() => resolveCacheOptions({ l2Timeout: '0ms' })).toThrow(
      'cache: l2Timeout must be longer than 0 ms, got "0ms"',
    );
    expect(resolveCacheOptions({ leaseWait: 0 }).leaseWaitMs).toBe(0);
  });
});

describe('the clock option', () => {
  it('times waits on a clock that can sleep, and on the system clock for one that only tells the time', () => {
    const full = { now: () => 0, sleep: async () => undefined };
    expect(resolveCacheOptions({ clock: full })).toMatchObject({ clock: full, waitClock: full });
    const nowOnly = { now: () => 0 };
    expect(resolveCacheOptions({ clock: nowOnly })).toMatchObject({ clock: nowOnly, waitClock: systemClock });
    expect(resolveCacheOptions()).toMatchObject({ clock: systemClock, waitClock: systemClock });
  });
});

describe('resolveEntryOptions', () => {
  const defaults = { ttlMs: 1000, swrMs: 0, staleIfErrorMs: 0, tags: [], timeoutMs: 10 };

  it('shares the defaults object when a call passes no options', () => {
    expect(resolveEntryOptions(undefined, defaults)).toBe(defaults);
  });

  it('overrides only the fields a call sets and validates tags', () => {
    expect(resolveEntryOptions({ swr: '1s', tags: ['user:42'] }, defaults)).toEqual({
      ...defaults,
      swrMs: 1000,
      tags: ['user:42'],
    });
    expect(() => resolveEntryOptions({ tags: [''] }, defaults)).toThrow(
      'cache: tags must be an array of non-empty strings',
    );
  });
});
