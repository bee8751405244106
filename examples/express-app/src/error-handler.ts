import { someCause } from '@perfkit/primitives';
import { isConnectionError } from '@perfkit/queries';
import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from 'pino';
import type { ErrorBody } from './contract/response-bodies.js';
import { HttpError } from './errors.js';

/** body-parser's errors carry a `type` and a `status`. */
interface BodyParserError {
  type: string;
  status: number;
}

const isBodyParserError = (error: unknown): error is BodyParserError =>
  typeof error === 'object' &&
  error !== null &&
  typeof (error as BodyParserError).type === 'string' &&
  typeof (error as BodyParserError).status === 'number';

const BODY_PARSER_ERRORS: Record<string, [number, string, string]> = {
  'entity.too.large': [413, 'payload_too_large', 'The request body is larger than the limit'],
  // Strict parsing: `null`, a number or a string is valid JSON but no request body of this API.
  'entity.parse.failed': [400, 'invalid_json', 'The request body is not a valid JSON object'],
  'encoding.unsupported': [415, 'unsupported_encoding', 'The request body encoding is not supported'],
  'charset.unsupported': [415, 'unsupported_charset', 'The request body charset is not supported'],
};

/** Seconds a client is told to wait after a 503. */
const RETRY_AFTER_SECONDS = 1;

/** The SQLSTATE of a PostgreSQL error (`pg`'s `DatabaseError.code`), if `error` is one. */
function sqlState(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

/** Whether the database (not the request) is why this failed: unreachable, overloaded, stopped or too slow. */
function isDatabaseUnavailable(error: unknown): boolean {
  const state = sqlState(error);
  if (state && /^(53|57)/.test(state)) return true; // resources, operator intervention (incl. timeouts)
  return (error as { code?: unknown } | null)?.code === 'PERFKIT_CACHE_LOAD_TIMEOUT';
}

/** Answers any error as `{ error: { code, message } }`; the stack stays in the log. */
export function toHttpError(error: unknown): HttpError {
  if (error instanceof HttpError) return error;
  if (isBodyParserError(error)) {
    const known = BODY_PARSER_ERRORS[error.type];
    if (known) return new HttpError(...known);
  }
  const status = (error as { status?: unknown; statusCode?: unknown } | null)?.status;
  // Express and its parsers mark what the request caused (e.g. a malformed %-escape in the path) with a 4xx status.
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return new HttpError(status, 'invalid_request', 'The request is malformed');
  }
  const state = sqlState(error);
  // A value the database refused (class 22: out of range, bad encoding) or a constraint it enforces (23).
  if (state?.startsWith('22'))
    return new HttpError(400, 'invalid_value', 'A value in the request is not acceptable');
  if (state?.startsWith('23'))
    return new HttpError(409, 'conflict', 'The request conflicts with existing data');
  if (isConnectionError(error) || someCause(error, isDatabaseUnavailable)) {
    return new HttpError(503, 'unavailable', 'The service is temporarily unavailable; retry shortly');
  }
  return new HttpError(500, 'internal_error', 'Internal server error');
}

/**
 * What the log keeps of an error: its type, code, message and stack, never
 * the row data that PostgreSQL puts in `detail` or `where`.
 *
 * @example
 * logger.error({ err: loggableError(error) }, 'request failed');
 */
export function loggableError(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) return { message: String(error) };
  const { name, message, stack } = error;
  const { code, constraint, table } = error as { code?: unknown; constraint?: unknown; table?: unknown };
  return { type: name, message, stack, code, constraint, table };
}

/**
 * The last middleware: every error becomes a JSON error body with its
 * status; 500s are logged with their stack, which never reaches the client;
 * 503s carry `Retry-After`.
 *
 * @example
 * app.use(errorHandler(logger));
 */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (error, req, res, _next) => {
    const httpError = toHttpError(error);
    if (httpError.status === 500) {
      logger.error({ err: loggableError(error), method: req.method, url: req.originalUrl }, 'request failed');
    } else if (httpError.status >= 500) {
      // Debug only: under overload a line per refused request would add to the load.
      logger.debug(
        { err: loggableError(error), method: req.method, code: httpError.code },
        'request refused',
      );
    }
    if (res.headersSent) {
      res.destroy();
      return;
    }
    if (httpError.status === 503 && !res.get('Retry-After'))
      res.set('Retry-After', String(RETRY_AFTER_SECONDS));
    const body: ErrorBody = { error: { code: httpError.code, message: httpError.message } };
    res.status(httpError.status).json(body);
  };
}

/**
 * A 404 `not_found` for any route nobody answered.
 *
 * @example
 * app.use(notFound);
 */
export const notFound: RequestHandler = (req) => {
  throw new HttpError(404, 'not_found', `No route for ${req.method} ${req.path}`);
};
