import { decodeValue, encodeValue } from './value-codec.js';

/**
 * How a call was served; what `X-Cache` should say.
 *
 * @example
 * const header: CacheStatus = (await cache.getOrSetWithStatus(key, load)).status;
 */
export type CacheStatus = 'hit' | 'miss' | 'stale' | 'stale-on-error';

/**
 * A value together with how it was served.
 *
 * @example
 * const { value, status } = await cache.getOrSetWithStatus('k', load);
 * res.setHeader('X-Cache', status);
 */
export interface CacheResult<T> {
  readonly value: T;
  readonly status: CacheStatus;
}

/** The freshness windows of one entry, in ms after it was created. */
export interface EntryPolicy {
  ttlMs: number;
  swrMs: number;
  staleIfErrorMs: number;
  tags: readonly string[];
}

/** One stored value with its absolute freshness deadlines (clock ms). */
export interface CacheEntry {
  readonly value: unknown;
  readonly createdAt: number;
  readonly freshUntil: number;
  readonly swrUntil: number;
  readonly errorUntil: number;
  readonly tags: readonly string[];
  /** Length of the serialized entry, which bounds L1 by bytes; the text itself is not kept. */
  readonly size: number;
  // Built once per entry on the first hit, so later hits allocate nothing.
  hitValue?: Promise<unknown>;
  hitResult?: Promise<CacheResult<unknown>>;
}

/** Where an entry stands at a given time. */
export type Freshness = 'fresh' | 'stale' | 'error-only' | 'gone';

interface Envelope {
  c: number;
  f: number;
  s: number;
  e: number;
  t: readonly string[];
  v: unknown;
}

/** A new entry and its serialized form, for L2. */
export interface EncodedEntry {
  entry: CacheEntry;
  payload: string;
}

/**
 * Builds an entry at `now`: TTL shortened by up to `jitter` (a fraction) so that entries written together
 * do not expire together. The value is copied through the serializer, so L1 holds exactly what L2 holds.
 *
 * @example
 * const { entry, payload } = createEntry('k', { total: 1 }, policy, clock.now(), 0.1);
 */
export function createEntry(
  key: string,
  value: unknown,
  policy: EntryPolicy,
  now: number,
  jitter: number,
): EncodedEntry {
  const ttlMs = Math.round(policy.ttlMs * (1 - jitter * Math.random()));
  const freshUntil = now + ttlMs;
  const envelope: Envelope = {
    c: now,
    f: freshUntil,
    s: freshUntil + policy.swrMs,
    e: freshUntil + policy.staleIfErrorMs,
    t: policy.tags,
    v: value,
  };
  const payload = encodeValue(envelope, key);
  return { entry: decodeEntry(payload), payload };
}

/**
 * Rebuilds an entry from its serialized form (read from L2).
 *
 * @example
 * const entry = decodeEntry(read.payload);
 */
export function decodeEntry(payload: string): CacheEntry {
  const envelope = decodeValue<Envelope>(payload);
  return {
    value: envelope.v,
    createdAt: envelope.c,
    freshUntil: envelope.f,
    swrUntil: envelope.s,
    errorUntil: envelope.e,
    tags: envelope.t,
    size: payload.length,
  };
}

/**
 * Like `decodeEntry`, for what L2 holds: unreadable data (another version's format) is a miss, never an
 * error for the caller.
 *
 * @example
 * const stored = read.payload === undefined ? undefined : decodeStoredEntry(read.payload);
 */
export function decodeStoredEntry(payload: string): CacheEntry | undefined {
  try {
    return decodeEntry(payload);
  } catch {
    return undefined;
  }
}

/** Fresh until ttl, then stale (served while one refresh runs), then error-only (served if the loader fails). */
export function freshnessOf(entry: CacheEntry, now: number): Freshness {
  if (now < entry.freshUntil) return 'fresh';
  if (now < entry.swrUntil) return 'stale';
  if (now < entry.errorUntil) return 'error-only';
  return 'gone';
}

/** Milliseconds until the entry is gone for good, for L2 expiry. */
export function remainingLifetime(entry: CacheEntry, now: number): number {
  return Math.max(1, Math.max(entry.swrUntil, entry.errorUntil) - now);
}
