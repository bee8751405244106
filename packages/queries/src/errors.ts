/**
 * Base of every error this package throws; `code` is stable across versions.
 *
 * @example
 * try { decodeAgentsCursor(raw); } catch (e) { if (e instanceof QueriesError) console.log(e.code); }
 */
export class QueriesError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** A parameter a query cannot run with (an unknown range, a non-positive limit, …). */
export class InvalidQueryParamsError extends QueriesError {
  readonly param: string;
  constructor(param: string, message: string) {
    super('PERFKIT_QUERIES_INVALID_PARAMS', message);
    this.param = param;
  }
}

/** A cursor that this package did not produce. */
export class InvalidCursorError extends QueriesError {
  constructor(message = 'cursor is not a cursor returned by this API', options?: ErrorOptions) {
    super('PERFKIT_QUERIES_INVALID_CURSOR', message, options);
  }
}

/** An option of a public function with a value it cannot use. */
export class InvalidOptionError extends QueriesError {
  readonly option: string;
  constructor(option: string, message: string) {
    super('PERFKIT_QUERIES_INVALID_OPTION', message);
    this.option = option;
  }
}
