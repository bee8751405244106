import { InvalidOptionError, PerfkitError } from '@perfkit/primitives';

/** Every stable code an error of @perfkit/external carries. */
export type ExternalErrorCode = InvalidInputCode | ExternalFailureCode;

/** The codes of {@link InvalidInputError}: a bad client option, a bad argument of a call. */
type InvalidInputCode = 'PERFKIT_EXT_INVALID_OPTION' | 'PERFKIT_EXT_INVALID_ARGUMENT';

/** The codes of {@link ExternalError}: what went wrong talking to ElevenLabs. */
type ExternalFailureCode =
  | 'PERFKIT_EXT_BAD_REQUEST'
  | 'PERFKIT_EXT_UNAUTHORIZED'
  | 'PERFKIT_EXT_FORBIDDEN'
  | 'PERFKIT_EXT_NOT_FOUND'
  | 'PERFKIT_EXT_UNPROCESSABLE'
  | 'PERFKIT_EXT_REQUEST_TIMEOUT'
  | 'PERFKIT_EXT_RATE_LIMITED'
  | 'PERFKIT_EXT_CONCURRENCY_LIMITED'
  | 'PERFKIT_EXT_SERVER_ERROR'
  | 'PERFKIT_EXT_HTTP_ERROR'
  | 'PERFKIT_EXT_NETWORK'
  | 'PERFKIT_EXT_ATTEMPT_TIMEOUT'
  | 'PERFKIT_EXT_MALFORMED_RESPONSE'
  | 'PERFKIT_EXT_RESPONSE_TOO_LARGE'
  | 'PERFKIT_EXT_RETRIES_EXHAUSTED'
  | 'PERFKIT_EXT_DEADLINE_EXCEEDED'
  | 'PERFKIT_EXT_ABORTED'
  | 'PERFKIT_EXT_CIRCUIT_OPEN';

/** Where an error happened and what the third party said. Never holds the API key. */
export interface ExternalErrorContext {
  /** Client operation, e.g. `'getAgent'`. */
  operation?: string;
  /** Path template, e.g. `'/v1/convai/agents/:agent_id'`. */
  route?: string;
  /** HTTP status of the (last) answer. */
  status?: number;
  /** ElevenLabs' `detail.code`, e.g. `'concurrent_limit_exceeded'`. */
  apiCode?: string;
  /** ElevenLabs' request id, from the body or the `request-id` header. */
  requestId?: string;
  /** Attempts made, the first one included. */
  attempts?: number;
  /** The wait `Retry-After` asked for, in ms. */
  retryAfterMs?: number;
  /** `maximum-concurrent-requests` of a 429 `concurrent_limit_exceeded`. */
  maxConcurrentRequests?: number;
  cause?: unknown;
}

/**
 * Base of every error of @perfkit/external: a stable `code`, the context, and whether a retry may help.
 *
 * @example
 * try { await client.getAgent(id); } catch (error) {
 *   if (error instanceof ExternalError && error.code === 'PERFKIT_EXT_NOT_FOUND') return null;
 *   throw error;
 * }
 */
export class ExternalError extends PerfkitError<ExternalFailureCode> {
  override name = 'ExternalError';
  readonly operation?: string;
  readonly route?: string;
  readonly status?: number;
  readonly apiCode?: string;
  readonly requestId?: string;
  /** Set by the client once the call is over. */
  attempts: number;
  readonly retryAfterMs?: number;
  readonly maxConcurrentRequests?: number;
  /** True for failures a later attempt may not see: network errors, timeouts, 408, 429, 5xx, cut bodies. */
  readonly retryable: boolean;

  constructor(
    code: ExternalFailureCode,
    message: string,
    context: ExternalErrorContext = {},
    retryable = false,
  ) {
    super(code, message, context);
    this.operation = context.operation;
    this.route = context.route;
    this.status = context.status;
    this.apiCode = context.apiCode;
    this.requestId = context.requestId;
    this.attempts = context.attempts ?? 0;
    this.retryAfterMs = context.retryAfterMs;
    this.maxConcurrentRequests = context.maxConcurrentRequests;
    this.retryable = retryable;
  }
}

const CODE_BY_STATUS: Record<number, ExternalFailureCode> = {
  400: 'PERFKIT_EXT_BAD_REQUEST',
  401: 'PERFKIT_EXT_UNAUTHORIZED',
  403: 'PERFKIT_EXT_FORBIDDEN',
  404: 'PERFKIT_EXT_NOT_FOUND',
  408: 'PERFKIT_EXT_REQUEST_TIMEOUT',
  422: 'PERFKIT_EXT_UNPROCESSABLE',
  429: 'PERFKIT_EXT_RATE_LIMITED',
};

/**
 * ElevenLabs answered with an error status.
 *
 * @example
 * if (error instanceof ElevenLabsHttpError && error.status === 404) { … }
 */
export class ElevenLabsHttpError extends ExternalError {
  override name = 'ElevenLabsHttpError';

  constructor(message: string, context: ExternalErrorContext & { status: number }) {
    super(codeFor(context.status, context.apiCode), message, context, isRetryableStatus(context.status));
  }
}

/**
 * The connection failed: refused, reset, socket hang-up, DNS, `fetch failed`.
 *
 * @example
 * error.code === 'PERFKIT_EXT_NETWORK'
 */
export class ElevenLabsNetworkError extends ExternalError {
  override name = 'ElevenLabsNetworkError';

  constructor(message: string, context: ExternalErrorContext) {
    super('PERFKIT_EXT_NETWORK', message, context, true);
  }
}

/**
 * One attempt took longer than `attemptTimeout` (headers and body together).
 *
 * @example
 * error.code === 'PERFKIT_EXT_ATTEMPT_TIMEOUT'
 */
export class AttemptTimeoutError extends ExternalError {
  override name = 'AttemptTimeoutError';

  constructor(timeoutMs: number, context: ExternalErrorContext) {
    super('PERFKIT_EXT_ATTEMPT_TIMEOUT', `attempt timed out after ${timeoutMs} ms`, context, true);
  }
}

/**
 * A 2xx answer whose body is not the JSON object it should be (a cut body, mostly).
 *
 * @example
 * error.code === 'PERFKIT_EXT_MALFORMED_RESPONSE'
 */
export class MalformedResponseError extends ExternalError {
  override name = 'MalformedResponseError';

  constructor(context: ExternalErrorContext) {
    super('PERFKIT_EXT_MALFORMED_RESPONSE', 'response body is not a JSON object', context, true);
  }
}

/**
 * The body grew past `maxResponseBytes`: reading stopped there and the connection was closed. Not
 * retried, since the same resource would come back as large.
 *
 * @example
 * error.code === 'PERFKIT_EXT_RESPONSE_TOO_LARGE'
 */
export class ResponseTooLargeError extends ExternalError {
  override name = 'ResponseTooLargeError';

  constructor(maxBytes: number, context: ExternalErrorContext) {
    super('PERFKIT_EXT_RESPONSE_TOO_LARGE', `response body exceeds ${maxBytes} bytes`, context);
  }
}

/**
 * Every allowed attempt failed with a retryable error; `cause` is the last one.
 *
 * @example
 * if (error instanceof RetriesExhaustedError) log(error.attempts, error.cause)
 */
export class RetriesExhaustedError extends ExternalError {
  override name = 'RetriesExhaustedError';

  constructor(last: ExternalError, attempts: number) {
    super('PERFKIT_EXT_RETRIES_EXHAUSTED', `gave up after ${attempts} attempts: ${last.message}`, {
      ...contextOf(last),
      attempts,
      cause: last,
    });
  }
}

/**
 * The call's deadline passed, or the next retry's wait would have passed it.
 *
 * @example
 * await client.getAgent(id, { deadline: '2s' }); // may throw DeadlineExceededError
 */
export class DeadlineExceededError extends ExternalError {
  override name = 'DeadlineExceededError';

  constructor(deadlineMs: number, context: ExternalErrorContext) {
    super('PERFKIT_EXT_DEADLINE_EXCEEDED', `deadline of ${deadlineMs} ms exceeded`, context);
  }
}

/**
 * The caller's `AbortSignal` fired; `cause` is its reason.
 *
 * @example
 * await client.getAgent(id, { signal }); // throws AbortedError once `signal` aborts
 */
export class AbortedError extends ExternalError {
  override name = 'AbortedError';

  constructor(context: ExternalErrorContext) {
    super('PERFKIT_EXT_ABORTED', 'aborted by the caller', context);
  }
}

/**
 * The circuit breaker of this API key is open: no request was sent.
 *
 * @example
 * if (error instanceof CircuitOpenError) return cachedOrNull
 */
export class CircuitOpenError extends ExternalError {
  override name = 'CircuitOpenError';

  constructor(context: ExternalErrorContext) {
    super('PERFKIT_EXT_CIRCUIT_OPEN', 'circuit breaker is open: ElevenLabs failed repeatedly', context);
  }
}

/**
 * An option of the client or an argument of a call is invalid: `option` names it. Code
 * `PERFKIT_EXT_INVALID_OPTION` for a client option, `PERFKIT_EXT_INVALID_ARGUMENT` for a call's
 * argument. Like every perfkit package's, it is an `InvalidOptionError` (not an `ExternalError`:
 * nothing was sent, so there is no context to carry).
 *
 * @example
 * new ElevenLabsClient({ apiKey: '' }); // throws PERFKIT_EXT_INVALID_OPTION, option 'apiKey'
 */
export class InvalidInputError extends InvalidOptionError<InvalidInputCode> {
  constructor(option: string, problem: string, code: InvalidInputCode = 'PERFKIT_EXT_INVALID_OPTION') {
    super(option, problem, code, { scope: 'ElevenLabs client' });
  }
}

/**
 * The {@link InvalidInputError} of a call's argument (`PERFKIT_EXT_INVALID_ARGUMENT`), constructed
 * `(option, problem)` like every package's invalid-option error, so the shared parsers throw it too.
 *
 * @example
 * await client.getAgentConfigs(ids, { budgetMs: -1 }); // throws PERFKIT_EXT_INVALID_ARGUMENT, option 'budgetMs'
 */
export class InvalidArgumentError extends InvalidInputError {
  constructor(option: string, problem: string) {
    super(option, problem, 'PERFKIT_EXT_INVALID_ARGUMENT');
  }
}

/** True for the statuses a retry may fix: 408, 429 and 5xx. */
function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

function codeFor(status: number, apiCode: string | undefined): ExternalFailureCode {
  if (status === 429 && apiCode === 'concurrent_limit_exceeded') return 'PERFKIT_EXT_CONCURRENCY_LIMITED';
  return CODE_BY_STATUS[status] ?? (status >= 500 ? 'PERFKIT_EXT_SERVER_ERROR' : 'PERFKIT_EXT_HTTP_ERROR');
}

/** The context of `error`, to carry into an error that wraps it. */
export function contextOf(error: ExternalError): ExternalErrorContext {
  const { operation, route, status, apiCode, requestId, retryAfterMs, maxConcurrentRequests } = error;
  return { operation, route, status, apiCode, requestId, retryAfterMs, maxConcurrentRequests };
}
