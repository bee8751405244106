/**
 * The shape of every perfkit error code: `PERFKIT_<PACKAGE>_<CONDITION>` in upper snake case, e.g.
 * `PERFKIT_CACHE_LOAD_TIMEOUT`. Each package narrows it to the union of its own codes.
 *
 * @example
 * type CacheErrorCode = 'PERFKIT_CACHE_INVALID_OPTION' | 'PERFKIT_CACHE_LOAD_TIMEOUT';
 */
export type PerfkitErrorCode = `PERFKIT_${string}_${string}`;

/**
 * Base of every error a perfkit package throws or reports: a stable `code` to match on (never the
 * message) and the `cause` when there is one. Each package's base class fixes `Code` to its union.
 *
 * @example
 * class CacheError extends PerfkitError<CacheErrorCode> {}
 * if (error instanceof PerfkitError && error.code === 'PERFKIT_CACHE_LOAD_TIMEOUT') res.status(504);
 */
export class PerfkitError<Code extends PerfkitErrorCode = PerfkitErrorCode> extends Error {
  readonly code: Code;

  constructor(code: Code, message: string, options?: { cause?: unknown }) {
    // No `cause` property at all, rather than one holding undefined, when there is none.
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
  }
}

/**
 * An option or argument a caller passed cannot be used: `option` names it as the caller wrote it
 * (`ttl`, `retry.minDelay`, `--duration`). Every package throws a subclass of this one with its own
 * `…_INVALID_OPTION` code and the same `(option, message)` arguments, so one `instanceof` catches a
 * bad option of any package.
 *
 * @example
 * class CacheOptionsError extends InvalidOptionError<'PERFKIT_CACHE_INVALID_OPTION'> {
 *   constructor(option: string, message: string) {
 *     super(option, `Invalid cache option "${option}": ${message}`, 'PERFKIT_CACHE_INVALID_OPTION');
 *   }
 * }
 */
export class InvalidOptionError<Code extends PerfkitErrorCode = PerfkitErrorCode> extends PerfkitError<Code> {
  readonly option: string;

  constructor(option: string, message: string, code: Code, options?: { cause?: unknown }) {
    super(code, message, options);
    this.option = option;
  }
}

/**
 * A package's invalid-option error class, constructed `(option, message)`: what `parseDuration` throws.
 *
 * @example
 * const InvalidOption: InvalidOptionErrorClass = CacheOptionsError;
 */
export type InvalidOptionErrorClass = new (option: string, message: string) => InvalidOptionError;

/** Causes followed at most, so a cyclic `cause` cannot loop. */
const MAX_CAUSES = 5;

/**
 * Whether `error` or one of its `cause`s, outermost first and at most five deep, passes `test`: a
 * driver's error wrapped by a cache or a client is still recognised.
 *
 * @example
 * someCause(error, (e) => (e as { code?: unknown }).code === 'ECONNRESET');
 */
export function someCause(error: unknown, test: (error: unknown) => boolean): boolean {
  for (let depth = 0; error !== undefined && error !== null && depth < MAX_CAUSES; depth++) {
    if (test(error)) return true;
    error = (error as { cause?: unknown }).cause;
  }
  return false;
}
