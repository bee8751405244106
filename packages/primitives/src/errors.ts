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
 * (`ttl`, `retry.minDelay`, `--duration`), `problem` says what is wrong with it in the words every
 * package uses (`must be …, got …`). The message is always `<scope>: <option> <problem>`, the scope
 * naming the package (`cache`, `ElevenLabs client`; none where the program prints its own name, as
 * perf-cli does). Every package throws a subclass with its own `…_INVALID_OPTION` code, constructed
 * `(option, problem)`, so one `instanceof` catches a bad option of any package.
 *
 * @example
 * class CacheOptionsError extends InvalidOptionError<'PERFKIT_CACHE_INVALID_OPTION'> {
 *   constructor(option: string, problem: string) {
 *     super(option, problem, 'PERFKIT_CACHE_INVALID_OPTION', { scope: 'cache' });
 *   }
 * }
 * new CacheOptionsError('ttl', 'must be longer than 0 ms, got 0').message; // "cache: ttl must be longer than 0 ms, got 0"
 */
export class InvalidOptionError<Code extends PerfkitErrorCode = PerfkitErrorCode> extends PerfkitError<Code> {
  readonly option: string;
  /** The message without the scope and the option: `must be …, got …`. */
  readonly problem: string;

  constructor(
    option: string,
    problem: string,
    code: Code,
    options: { scope?: string; cause?: unknown } = {},
  ) {
    const scope = options.scope === undefined ? '' : `${options.scope}: `;
    super(code, `${scope}${option} ${problem}`, options);
    this.option = option;
    this.problem = problem;
  }
}

/**
 * A package's invalid-option error class, constructed `(option, problem)`: what `parseDuration` throws.
 *
 * @example
 * const InvalidOption: InvalidOptionErrorClass = CacheOptionsError;
 */
export type InvalidOptionErrorClass = new (option: string, problem: string) => InvalidOptionError;

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
