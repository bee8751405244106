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
  'entity.parse.failed': [400, 'invalid_json', 'The request body is not valid JSON'],
  'encoding.unsupported': [415, 'unsupported_encoding', 'The request body encoding is not supported'],
  'charset.unsupported': [415, 'unsupported_charset', 'The request body charset is not supported'],
};

/** Answers any error as `{ error: { code, message } }`; the stack stays in the log. */
function toHttpError(error: unknown): HttpError {
  if (error instanceof HttpError) return error;
  if (isBodyParserError(error)) {
    const known = BODY_PARSER_ERRORS[error.type];
    if (known) return new HttpError(...known);
    if (error.status >= 400 && error.status < 500)
      return new HttpError(error.status, 'bad_request', 'Bad request');
  }
  return new HttpError(500, 'internal_error', 'Internal server error');
}

/**
 * The last middleware: every error becomes a JSON error body with its
 * status; 5xx are logged with their stack, which never reaches the client.
 *
 * @example
 * app.use(errorHandler(logger));
 */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (error, req, res, _next) => {
    const httpError = toHttpError(error);
    if (httpError.status >= 500)
      logger.error({ err: error, method: req.method, url: req.originalUrl }, 'request failed');
    if (res.headersSent) {
      res.destroy();
      return;
    }
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
