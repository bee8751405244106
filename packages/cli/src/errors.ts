import { PerfkitError, InvalidOptionError as PerfkitInvalidOptionError } from '@perfkit/primitives';

/** Exit codes every command uses, so CI scripts can tell a failed gate from a broken invocation. */
export const EXIT_CODES = {
  /** Everything ran and every gate passed. */
  ok: 0,
  /** A gate failed: a threshold was breached, a regression was found, or audit findings reached `--fail-on`. */
  gateFailed: 1,
  /** Bad input: an invalid option, an unreadable file, mismatched configurations, an unreachable database. */
  usage: 2,
  /** The measurement cannot be trusted (the load generator fell behind, too few repetitions). */
  inconclusive: 3,
} as const;

/**
 * The exit code for a verdict: pass 0, a failed gate 1, inconclusive 3.
 *
 * @example
 * io.exitCode = exitCodeFor(report.verdict);
 */
export function exitCodeFor(verdict: 'pass' | 'fail' | 'regression' | 'inconclusive'): number {
  if (verdict === 'fail' || verdict === 'regression') return EXIT_CODES.gateFailed;
  return verdict === 'inconclusive' ? EXIT_CODES.inconclusive : EXIT_CODES.ok;
}

/** Stable error codes, one per failure a user can act on. */
export type PerfCliErrorCode =
  | 'PERFKIT_CLI_INVALID_OPTION'
  | 'PERFKIT_CLI_INVALID_TARGETS'
  | 'PERFKIT_CLI_INVALID_THRESHOLD'
  | 'PERFKIT_CLI_INVALID_REPORT'
  | 'PERFKIT_CLI_CONFIG_MISMATCH'
  | 'PERFKIT_CLI_CANNOT_MERGE'
  | 'PERFKIT_CLI_FILE_UNREADABLE'
  | 'PERFKIT_CLI_FILE_UNWRITABLE'
  | 'PERFKIT_CLI_QUERY_FILE_INVALID'
  | 'PERFKIT_CLI_DATABASE_UNAVAILABLE'
  | 'PERFKIT_CLI_INDEXES_BUSY'
  | 'PERFKIT_CLI_PERMISSION_DENIED'
  | 'PERFKIT_CLI_SCHEMA_MISSING'
  | 'PERFKIT_CLI_TARGET_UNREACHABLE';

/**
 * Base error of the CLI: a stable `code`, the exit code the CLI ends with,
 * context fields, and the `cause` when there is one. The CLI prints the
 * message only, never a stack trace.
 *
 * @example
 * try { readReport('base.json') } catch (error) {
 *   if (error instanceof PerfCliError && error.code === 'PERFKIT_CLI_FILE_UNREADABLE') …
 * }
 */
export class PerfCliError extends PerfkitError<PerfCliErrorCode> {
  readonly exitCode: number;
  readonly context: Record<string, unknown>;

  constructor(
    code: PerfCliErrorCode,
    message: string,
    options: { cause?: unknown; context?: Record<string, unknown>; exitCode?: number } = {},
  ) {
    super(code, message, options);
    this.name = 'PerfCliError';
    this.exitCode = options.exitCode ?? EXIT_CODES.usage;
    this.context = options.context ?? {};
  }
}

/**
 * An option or argument that cannot be used as given. `option` names it
 * the way its caller wrote it: the library's option (`warmupMs`,
 * `planChecks.largeTableRows`), or the CLI's flag (`--warmup`) once the
 * command has {@link InvalidOptionError.renamed renamed} it; `problem` is
 * the rest of the message. Like every perfkit package's, it is the
 * `InvalidOptionError` of `@perfkit/primitives` (so not a
 * {@link PerfCliError}: match both with {@link isCliError}), with the
 * `exitCode` and `context` of the CLI's errors.
 *
 * @example
 * throw new InvalidOptionError('warmupMs', 'must be >= 0 ms, got -1 ms'); // "warmupMs must be >= 0 ms, got -1 ms"
 */
export class InvalidOptionError extends PerfkitInvalidOptionError<'PERFKIT_CLI_INVALID_OPTION'> {
  readonly exitCode: number = EXIT_CODES.usage;
  readonly context: Record<string, unknown>;

  // No scope: the CLI prints its own name before every message.
  constructor(option: string, problem: string, options: { cause?: unknown } = {}) {
    super(option, problem, 'PERFKIT_CLI_INVALID_OPTION', options);
    this.name = 'InvalidOptionError';
    this.context = { option };
  }

  /**
   * The same error naming the option differently: the CLI says `--warmup`
   * where the library says `warmupMs`.
   *
   * @example
   * throw error.renamed('--warmup'); // "--warmup must be >= 0 ms, got -1 ms"
   */
  renamed(option: string): InvalidOptionError {
    return new InvalidOptionError(option, this.problem, { cause: this });
  }
}

/**
 * True for an error of the CLI: a {@link PerfCliError} or an
 * {@link InvalidOptionError}, each with its `code` and `exitCode`.
 *
 * @example
 * if (isCliError(error)) { io.stderr.write(`perf-cli: ${error.message}\n`); return error.exitCode; }
 */
export function isCliError(error: unknown): error is PerfCliError | InvalidOptionError {
  return error instanceof PerfCliError || error instanceof InvalidOptionError;
}

/**
 * A file or value that is not a perf-cli load-test report, or a corrupt
 * one: `problems` lists each field that is wrong, with its path
 * (`targets[0].repetitions[1].histogram: …`).
 *
 * @example
 * try { readReport('base.json') } catch (error) {
 *   if (error instanceof InvalidReportError) console.error(error.source, error.problems);
 * }
 */
export class InvalidReportError extends PerfCliError {
  declare readonly code: 'PERFKIT_CLI_INVALID_REPORT';
  readonly source: string;
  readonly problems: string[];

  constructor(source: string, problem: string, options: { problems?: string[]; cause?: unknown } = {}) {
    super('PERFKIT_CLI_INVALID_REPORT', `${source} ${problem}`, {
      cause: options.cause,
      context: { source, problems: options.problems ?? [] },
    });
    this.name = 'InvalidReportError';
    this.source = source;
    this.problems = options.problems ?? [];
  }
}

/**
 * Two load-test reports whose configurations differ (model, rate,
 * connections, duration, targets), so comparing them would mislead.
 *
 * @example
 * compareReports(base, current) // throws ConfigMismatchError when base.config.rate !== current.config.rate
 */
export class ConfigMismatchError extends PerfCliError {
  declare readonly code: 'PERFKIT_CLI_CONFIG_MISMATCH';
  readonly differences: string[];
  constructor(differences: string[]) {
    super(
      'PERFKIT_CLI_CONFIG_MISMATCH',
      `refusing to compare runs with different configurations: ${differences.join('; ')}`,
      {
        context: { differences },
      },
    );
    this.name = 'ConfigMismatchError';
    this.differences = differences;
  }
}

/**
 * The database could not be reached or refused the connection.
 *
 * @example
 * await runAudit({ connectionString: 'postgresql://nobody@127.0.0.1:1/x' }) // rejects with DatabaseUnavailableError
 */
export class DatabaseUnavailableError extends PerfCliError {
  declare readonly code: 'PERFKIT_CLI_DATABASE_UNAVAILABLE';
  constructor(message: string, cause?: unknown) {
    super('PERFKIT_CLI_DATABASE_UNAVAILABLE', message, { cause });
    this.name = 'DatabaseUnavailableError';
  }
}

/**
 * The database let the role in, but the role lacks a privilege the command
 * needs (SQLSTATE 42501): nothing is wrong with the database, so it is not a
 * {@link DatabaseUnavailableError}; connect as another role or grant it.
 *
 * @example
 * await runAudit({ connectionString: 'postgresql://reader@127.0.0.1:5432/app' }) // rejects with PermissionDeniedError
 */
export class PermissionDeniedError extends PerfCliError {
  declare readonly code: 'PERFKIT_CLI_PERMISSION_DENIED';
  constructor(message: string, cause?: unknown) {
    super('PERFKIT_CLI_PERMISSION_DENIED', message, { cause });
    this.name = 'PermissionDeniedError';
  }
}

/**
 * The database lacks the app's tables a command works on (the query
 * catalog's, the declared indexes'). The message says what is missing, how
 * to create the schema, and `alternative`.
 *
 * @example
 * await runAudit({ connectionString: 'postgresql://postgres@127.0.0.1:5432/postgres' }) // rejects with SchemaMissingError
 */
export class SchemaMissingError extends PerfCliError {
  declare readonly code: 'PERFKIT_CLI_SCHEMA_MISSING';
  constructor(missing: string, alternative: string, cause?: unknown) {
    super(
      'PERFKIT_CLI_SCHEMA_MISSING',
      `${missing}: migrate and seed it first (DATABASE_URL=<url> npx -y pnpm@12.4.2 --filter @perfkit/express-app run seed), or ${alternative}`,
      { cause },
    );
    this.name = 'SchemaMissingError';
  }
}
