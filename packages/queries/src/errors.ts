import { PerfkitError, InvalidOptionError as PerfkitInvalidOptionError } from '@perfkit/primitives';

/**
 * Stable error codes of `@perfkit/queries`; match on `error.code`, never on messages.
 *
 * @example
 * if (error instanceof PerfkitError && error.code === 'PERFKIT_QUERIES_INVALID_CURSOR') res.status(400);
 */
export type QueriesErrorCode =
  | 'PERFKIT_QUERIES_INVALID_OPTION'
  | 'PERFKIT_QUERIES_INVALID_PARAMS'
  | 'PERFKIT_QUERIES_INVALID_CURSOR'
  | 'PERFKIT_QUERIES_INDEXES_BUSY';

/**
 * Base of every error this package throws, except an invalid option, which is the
 * `InvalidOptionError` of every perfkit package; `code` is stable across versions.
 *
 * @example
 * try { decodeAgentsCursor(raw); } catch (e) { if (e instanceof QueriesError) console.log(e.code); }
 */
export class QueriesError extends PerfkitError<Exclude<QueriesErrorCode, 'PERFKIT_QUERIES_INVALID_OPTION'>> {}

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

/**
 * An option of a public function with a value it cannot use; `message` names it.
 *
 * @example
 * await runRollup(db, { batchSize: 0 }); // throws InvalidOptionError, option 'batchSize'
 */
export class InvalidOptionError extends PerfkitInvalidOptionError<'PERFKIT_QUERIES_INVALID_OPTION'> {
  constructor(option: string, problem: string) {
    super(option, problem, 'PERFKIT_QUERIES_INVALID_OPTION', { scope: 'queries' });
  }
}

/**
 * Another process held the schema's index lock (applying or dropping indexes) for longer than this
 * call would wait.
 *
 * @example
 * catch (e) { if (e instanceof IndexesBusyError) log.warn('another instance is building the indexes'); }
 */
export class IndexesBusyError extends QueriesError {
  constructor(waitedMs: number) {
    super(
      'PERFKIT_QUERIES_INDEXES_BUSY',
      `another process has been applying or dropping the indexes for over ${waitedMs} ms`,
    );
  }
}
