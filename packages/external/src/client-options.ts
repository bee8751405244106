import {
  type Clock,
  checkNumber,
  type Duration,
  parseDuration,
  parseTimerDuration,
  type Random,
  systemClock,
  withDefaults,
} from '@perfkit/primitives';
import type { CacheLike } from './cache-like.js';
import { InvalidInputError } from './errors.js';
import type { RetryPolicy } from './retry-policy.js';

/**
 * Where final failures and breaker changes are written, in pino's calling convention (context object
 * first, message second; an error under `err`), so a pino logger, a child with its bindings included,
 * passes as it is. Context never holds the API key.
 *
 * @example
 * const client = new ElevenLabsClient({ apiKey, logger: pino().child({ component: 'elevenlabs' }) });
 */
export interface ExternalLogger {
  warn(context: Record<string, unknown>, message: string): void;
  error(context: Record<string, unknown>, message: string): void;
}

/**
 * Options of {@link ElevenLabsClient}; every field but `apiKey` has a default.
 *
 * @example
 * new ElevenLabsClient({ apiKey, concurrency: 16, retry: { retries: 3, jitter: true }, cache });
 */
export interface ElevenLabsClientOptions {
  /** Sent as `xi-api-key`; never logged, never in an error or event. Required. */
  apiKey: string;
  /** Default: `'https://api.elevenlabs.io'`. */
  baseUrl?: string;
  /** Limit of one attempt, headers and body together. Default: `'10s'`. */
  attemptTimeout?: Duration;
  /**
   * Limit of one call, every attempt and wait included. Default: `'50s'`, room for the whole retry
   * schedule when every attempt times out (4 × 10 s + 1 + 2 + 4 s = 47 s).
   */
  deadline?: Duration;
  /** Deadline of the background fetches of `getAgentConfigs`, which outlive the response budget. Default: `'60s'`. */
  backgroundDeadline?: Duration;
  /** Largest response body read, in bytes; past it the connection is closed and the call fails with `PERFKIT_EXT_RESPONSE_TOO_LARGE`. Default: `1_048_576` (1 MiB). */
  maxResponseBytes?: number;
  retry?: {
    /** Retries after the first attempt. Default: `3`. */
    retries?: number;
    /** Wait before the first retry. Default: `'1s'`. */
    minDelay?: Duration;
    /** Multiplier from one wait to the next. Default: `2` (so 1 s, 2 s, 4 s). */
    factor?: number;
    /** Cap of a computed wait. Default: `'30s'`. */
    maxDelay?: Duration;
    /** Draw each wait between half and all of it. Default: `false`. */
    jitter?: boolean;
    /** Longest `Retry-After` honoured; a longer one ends the call. Default: `'30s'`. */
    maxRetryAfter?: Duration;
    /** Methods retried; others only when listed here. Default: `['GET']`. */
    methods?: string[];
  };
  /** Requests in flight at most (lowered on 429 `concurrent_limit_exceeded`). Default: `16`. */
  concurrency?: number;
  /** Floor of the adaptive concurrency. Default: `1`. */
  minConcurrency?: number;
  breaker?: {
    /** Consecutive failed attempts (5xx, timeouts, network, cut bodies) that open it. Default: `5`. */
    failureThreshold?: number;
    /** Time open before a half-open probe. Default: `'30s'`. */
    cooldown?: Duration;
  };
  /** Where configs are kept for `getAgentConfigs` (stale answers) and filled by every fetch. Default: none. */
  cache?: CacheLike;
  /** TTL of cached configs: how long a stale config can still be served. Default: `'24h'`. */
  cacheTtl?: Duration;
  /** Age under which a cached config is `fresh` and not fetched again. Default: `'5m'`. */
  freshFor?: Duration;
  /**
   * Age past `freshFor` during which `getAgentConfigs` answers a cached config `stale` at once and
   * refreshes it in the background, instead of waiting up to the budget for the fetch. Default: `0`.
   */
  staleWhileRevalidate?: Duration;
  /**
   * How long a failed background fetch of `getAgentConfigs` is remembered: meanwhile that agent is
   * answered at once, `stale` with its cached config or `unavailable`, with the error, and not fetched
   * again. `0` turns it off. Default: `'30s'`.
   */
  failureMemory?: Duration;
  /** Prefix of cache keys. Default: `'elevenlabs:agent:'`. */
  cacheKeyPrefix?: string;
  /** Default: none (silent). */
  logger?: ExternalLogger;
  /** Time of deadlines, backoff waits and cache ages (`{ now(), sleep(ms, signal?) }`). Default: `systemClock`. */
  clock?: Clock;
  /** Source of jitter. Default: `Math.random`. */
  random?: Random;
}

/** Options with every default applied and durations in ms. */
export interface ResolvedClientOptions {
  apiKey: string;
  baseUrl: string;
  attemptTimeoutMs: number;
  deadlineMs: number;
  backgroundDeadlineMs: number;
  maxResponseBytes: number;
  retry: RetryPolicy;
  concurrency: number;
  minConcurrency: number;
  breaker: { failureThreshold: number; cooldownMs: number };
  cache: CacheLike | undefined;
  cacheTtlMs: number;
  freshForMs: number;
  staleWhileRevalidateMs: number;
  failureMemoryMs: number;
  cacheKeyPrefix: string;
  logger: ExternalLogger | undefined;
  clock: Clock;
  random: Random;
}

/**
 * The defaults, in one place.
 *
 * @example
 * CLIENT_DEFAULTS.retry.minDelay; // '1s'
 */
export const CLIENT_DEFAULTS = {
  baseUrl: 'https://api.elevenlabs.io',
  attemptTimeout: '10s',
  deadline: '50s',
  backgroundDeadline: '60s',
  maxResponseBytes: 1_048_576,
  retry: {
    retries: 3,
    minDelay: '1s',
    factor: 2,
    maxDelay: '30s',
    jitter: false,
    maxRetryAfter: '30s',
    methods: ['GET'],
  },
  concurrency: 16,
  minConcurrency: 1,
  breaker: { failureThreshold: 5, cooldown: '30s' },
  cacheTtl: '24h',
  freshFor: '5m',
  staleWhileRevalidate: 0,
  failureMemory: '30s',
  cacheKeyPrefix: 'elevenlabs:agent:',
} as const;

/** Applies the defaults and validates every option, with a message naming the bad one. */
export function resolveClientOptions(options: ElevenLabsClientOptions): ResolvedClientOptions {
  if (typeof options?.apiKey !== 'string' || options.apiKey.trim() === '') {
    invalid('apiKey', 'is required and must be a non-empty string');
  }
  const retry = withDefaults(CLIENT_DEFAULTS.retry, options.retry);
  const breaker = withDefaults(CLIENT_DEFAULTS.breaker, options.breaker);
  const concurrency = options.concurrency ?? CLIENT_DEFAULTS.concurrency;
  const minConcurrency = options.minConcurrency ?? CLIENT_DEFAULTS.minConcurrency;
  checkNumber(retry.retries, 'retry.retries', { min: 0, integer: true }, InvalidInputError);
  checkNumber(concurrency, 'concurrency', { min: 1, integer: true }, InvalidInputError);
  checkNumber(minConcurrency, 'minConcurrency', { min: 1, integer: true }, InvalidInputError);
  if (minConcurrency > concurrency)
    invalid('minConcurrency', `(${minConcurrency}) must not exceed concurrency (${concurrency})`);
  checkNumber(
    breaker.failureThreshold,
    'breaker.failureThreshold',
    { min: 1, integer: true },
    InvalidInputError,
  );
  const maxResponseBytes = options.maxResponseBytes ?? CLIENT_DEFAULTS.maxResponseBytes;
  checkNumber(maxResponseBytes, 'maxResponseBytes', { min: 1, integer: true }, InvalidInputError);
  if (!(retry.factor >= 1)) invalid('retry.factor', `must be >= 1, got ${retry.factor}`);
  const baseUrl = checkedBaseUrl(options.baseUrl ?? CLIENT_DEFAULTS.baseUrl);
  if (!Array.isArray(retry.methods) || retry.methods.some((method) => typeof method !== 'string'))
    invalid(
      'retry.methods',
      `must be an array of HTTP methods such as ['GET'], got ${JSON.stringify(retry.methods)}`,
    );
  return {
    apiKey: options.apiKey,
    baseUrl,
    attemptTimeoutMs: limitMs(options.attemptTimeout ?? CLIENT_DEFAULTS.attemptTimeout, 'attemptTimeout'),
    deadlineMs: limitMs(options.deadline ?? CLIENT_DEFAULTS.deadline, 'deadline'),
    backgroundDeadlineMs: limitMs(
      options.backgroundDeadline ?? CLIENT_DEFAULTS.backgroundDeadline,
      'backgroundDeadline',
    ),
    maxResponseBytes,
    retry: {
      retries: retry.retries,
      minDelayMs: waitMs(retry.minDelay, 'retry.minDelay'),
      factor: retry.factor,
      maxDelayMs: waitMs(retry.maxDelay, 'retry.maxDelay'),
      jitter: retry.jitter,
      maxRetryAfterMs: waitMs(retry.maxRetryAfter, 'retry.maxRetryAfter'),
      methods: new Set(retry.methods.map((m) => m.toUpperCase())),
    },
    concurrency,
    minConcurrency,
    breaker: {
      failureThreshold: breaker.failureThreshold,
      cooldownMs: durationMs(breaker.cooldown, 'breaker.cooldown'),
    },
    cache: options.cache,
    cacheTtlMs: durationMs(options.cacheTtl ?? CLIENT_DEFAULTS.cacheTtl, 'cacheTtl'),
    freshForMs: durationMs(options.freshFor ?? CLIENT_DEFAULTS.freshFor, 'freshFor'),
    staleWhileRevalidateMs: durationMs(
      options.staleWhileRevalidate ?? CLIENT_DEFAULTS.staleWhileRevalidate,
      'staleWhileRevalidate',
    ),
    failureMemoryMs: durationMs(options.failureMemory ?? CLIENT_DEFAULTS.failureMemory, 'failureMemory'),
    cacheKeyPrefix: options.cacheKeyPrefix ?? CLIENT_DEFAULTS.cacheKeyPrefix,
    logger: options.logger,
    clock: options.clock ?? systemClock,
    random: options.random ?? Math.random,
  };
}

function invalid(option: string, problem: string): never {
  throw new InvalidInputError(option, problem);
}

// Credentials in the URL would be sent to every host it names and shown in every error's `url`.
function checkedBaseUrl(value: string): string {
  const baseUrl = typeof value === 'string' ? value.replace(/\/+$/, '') : '';
  const url = URL.canParse(baseUrl) ? new URL(baseUrl) : undefined;
  if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:'))
    invalid('baseUrl', `must be an absolute http(s) URL, got ${JSON.stringify(value)}`);
  if (url.username !== '' || url.password !== '')
    invalid('baseUrl', 'must not carry credentials (the key goes in apiKey, sent as xi-api-key)');
  return baseUrl;
}

/** Milliseconds of a duration option that no timer arms (an age, a TTL). */
function durationMs(value: Duration, option: string): number {
  return parseDuration(value, option, InvalidInputError);
}

/** Milliseconds of a wait on a timer, at most what a Node.js timer keeps. */
function waitMs(value: Duration, option: string): number {
  return parseTimerDuration(value, option, InvalidInputError);
}

/** Milliseconds of a time limit on a timer: also longer than 0, which would fail every call at once. */
function limitMs(value: Duration, option: string): number {
  return parseTimerDuration(value, option, InvalidInputError, { positive: true });
}
