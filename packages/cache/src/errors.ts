import { InvalidOptionError, PerfkitError } from '@perfkit/primitives';

/**
 * Stable error codes of `@perfkit/cache`; match on `error.code`, never on messages.
 *
 * @example
 * if (error instanceof PerfkitError && error.code === 'PERFKIT_CACHE_LOAD_TIMEOUT') res.status(504);
 */
export type CacheErrorCode =
  | 'PERFKIT_CACHE_INVALID_OPTION'
  | 'PERFKIT_CACHE_LOAD_TIMEOUT'
  | 'PERFKIT_CACHE_L2_UNAVAILABLE'
  | 'PERFKIT_CACHE_L2_TIMEOUT'
  | 'PERFKIT_CACHE_UNSERIALIZABLE'
  | 'PERFKIT_CACHE_MALFORMED_BUS_MESSAGE';

/**
 * Base class of every error this package throws or reports in an event, except an invalid option,
 * which is the `InvalidOptionError` of every perfkit package (`CacheOptionsError`).
 *
 * @example
 * try { await cache.getOrSet('k', load) } catch (e) { if (e instanceof CacheError) log(e.code) }
 */
export class CacheError extends PerfkitError<Exclude<CacheErrorCode, 'PERFKIT_CACHE_INVALID_OPTION'>> {}

/**
 * An option passed to `createCache`, a store, a bus or a call is invalid: `option` names it.
 *
 * @example
 * createCache({ ttl: '5 parsecs' }); // throws CacheOptionsError, code PERFKIT_CACHE_INVALID_OPTION
 */
export class CacheOptionsError extends InvalidOptionError<'PERFKIT_CACHE_INVALID_OPTION'> {
  constructor(option: string, problem: string) {
    super(option, problem, 'PERFKIT_CACHE_INVALID_OPTION', { scope: 'cache' });
  }
}

/**
 * The loader did not settle within the call's `timeout`.
 *
 * @example
 * await cache.getOrSet('k', neverSettles, { timeout: 50 }); // rejects with CacheLoadTimeoutError
 */
export class CacheLoadTimeoutError extends CacheError {
  readonly key: string;
  readonly timeoutMs: number;

  constructor(key: string, timeoutMs: number) {
    super('PERFKIT_CACHE_LOAD_TIMEOUT', `Loader for key "${key}" did not settle within ${timeoutMs} ms`);
    this.key = key;
    this.timeoutMs = timeoutMs;
  }
}

/**
 * An L2 operation failed or was skipped because the circuit is open. Only reported through the
 * `l2-error` event: the cache never throws it to callers.
 *
 * @example
 * cache.on('l2-error', ({ error }) => error instanceof CacheL2Error && log(error.code));
 */
export class CacheL2Error extends CacheError {
  readonly operation: string;

  constructor(
    code: 'PERFKIT_CACHE_L2_UNAVAILABLE' | 'PERFKIT_CACHE_L2_TIMEOUT',
    operation: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(code, `L2 ${operation}: ${message}`, options);
    this.operation = operation;
  }
}

/**
 * A value could not be serialized (a cycle, for instance).
 *
 * @example
 * const a: Record<string, unknown> = {}; a.self = a; await cache.set("k", a); // rejects with CacheSerializationError
 */
export class CacheSerializationError extends CacheError {
  readonly key: string;

  constructor(key: string, cause: unknown) {
    super('PERFKIT_CACHE_UNSERIALIZABLE', `Value for key "${key}" cannot be serialized`, { cause });
    this.key = key;
  }
}

// Enough of a rejected message to recognise its sender, not a copy of whatever was published.
const EXCERPT_LENGTH = 200;

/**
 * A message on the bus channel was not a valid invalidation; it was ignored. Only reported through the
 * `bus` event (`state: 'rejected'`): the cache never throws it.
 *
 * @example
 * cache.on('bus', (e) => e.state === 'rejected' && log.warn(e.error?.message));
 */
export class CacheBusMessageError extends CacheError {
  /** The start of the raw message, at most 200 characters. */
  readonly excerpt: string;

  constructor(problem: string, raw: string) {
    super('PERFKIT_CACHE_MALFORMED_BUS_MESSAGE', `Malformed bus message ignored: ${problem}`);
    this.excerpt = raw.slice(0, EXCERPT_LENGTH);
  }
}

/** Turns anything thrown into an `Error`, so events always carry one. */
export function toError(thrown: unknown): Error {
  return thrown instanceof Error ? thrown : new Error(String(thrown));
}
