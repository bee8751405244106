import type { ExternalErrorContext } from './errors.js';
import {
  AbortedError,
  AttemptTimeoutError,
  ElevenLabsHttpError,
  ElevenLabsNetworkError,
  ExternalError,
  MalformedResponseError,
  ResponseTooLargeError,
} from './errors.js';
import { parseRetryAfter } from './retry-policy.js';

/** One HTTP request to ElevenLabs. */
export interface AttemptRequest {
  url: string;
  method: string;
  apiKey: string;
  timeoutMs: number;
  /** Largest body read; a longer one is a `ResponseTooLargeError`. */
  maxBodyBytes: number;
  /** The call's signal: the caller's abort and the overall deadline. */
  signal: AbortSignal;
  context: Pick<ExternalErrorContext, 'operation' | 'route'>;
  now: () => number;
}

/** A successful answer. */
export interface AttemptResponse<T> {
  status: number;
  body: T;
}

/**
 * Sends one request and reads its JSON body, the whole of it under `timeoutMs` and at most
 * `maxBodyBytes` of it; every failure becomes an {@link ExternalError}. A redirect is never followed:
 * the `xi-api-key` header would go along to wherever it points.
 *
 * @example
 * const { body } = await sendAttempt<AgentConfig>({ url, method: 'GET', apiKey, timeoutMs: 10_000, signal, context, now });
 */
export async function sendAttempt<T>(request: AttemptRequest): Promise<AttemptResponse<T>> {
  const timeout = AbortSignal.timeout(request.timeoutMs);
  const tooLarge = new AbortController();
  const signal = AbortSignal.any([request.signal, timeout, tooLarge.signal]);
  let status: number | undefined;
  try {
    const response = await fetch(request.url, {
      method: request.method,
      headers: { 'xi-api-key': request.apiKey, accept: 'application/json' },
      redirect: 'manual',
      signal,
    });
    status = response.status;
    if (isRedirect(status)) {
      await response.body?.cancel();
      throw redirectError(response, request);
    }
    const text = await readBody(response, request, tooLarge);
    if (!response.ok) throw httpError(response, text, request);
    return { status, body: parseBody<T>(text, response, request) };
  } catch (error) {
    if (error instanceof ExternalError) throw error;
    const context = { ...request.context, status, cause: error };
    if (request.signal.aborted) {
      const reason: unknown = request.signal.reason;
      throw reason instanceof ExternalError ? reason : new AbortedError({ ...context, cause: reason });
    }
    if (timeout.aborted) throw new AttemptTimeoutError(request.timeoutMs, context);
    throw new ElevenLabsNetworkError(describeNetworkError(error), context);
  }
}

function isRedirect(status: number): boolean {
  return status >= 300 && status < 400;
}

function redirectError(response: Response, request: AttemptRequest): ElevenLabsHttpError {
  return new ElevenLabsHttpError(`refused to follow a redirect (HTTP ${response.status})`, {
    ...request.context,
    status: response.status,
    requestId: response.headers.get('request-id') ?? undefined,
  });
}

/** The body as text, read chunk by chunk so that no more than `maxBodyBytes` (and one chunk) is held. */
async function readBody(
  response: Response,
  request: AttemptRequest,
  tooLarge: AbortController,
): Promise<string> {
  const chunks: Uint8Array[] = [];
  let bytes = 0;
  for await (const chunk of response.body ?? []) {
    bytes += chunk.byteLength;
    if (bytes > request.maxBodyBytes) {
      // Aborting the request closes the connection: the rest of the body is never received.
      tooLarge.abort();
      throw new ResponseTooLargeError(request.maxBodyBytes, {
        ...request.context,
        status: response.status,
        requestId: response.headers.get('request-id') ?? undefined,
      });
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

// Every answer of the API is a JSON object; `null`, a number or a list in its place is not an answer.
function parseBody<T>(text: string, response: Response, request: AttemptRequest): T {
  const malformed = (cause?: unknown) =>
    new MalformedResponseError({
      ...request.context,
      status: response.status,
      requestId: response.headers.get('request-id') ?? undefined,
      cause,
    });
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (error) {
    throw malformed(error);
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw malformed();
  return body as T;
}

function httpError(response: Response, text: string, request: AttemptRequest): ElevenLabsHttpError {
  const detail = readDetail(text);
  const maxConcurrent = Number(response.headers.get('maximum-concurrent-requests') ?? Number.NaN);
  return new ElevenLabsHttpError(detail.message ?? `HTTP ${response.status}`, {
    ...request.context,
    status: response.status,
    apiCode: detail.code,
    requestId: detail.requestId ?? response.headers.get('request-id') ?? undefined,
    retryAfterMs: parseRetryAfter(response.headers.get('retry-after'), request.now()),
    maxConcurrentRequests: Number.isInteger(maxConcurrent) && maxConcurrent > 0 ? maxConcurrent : undefined,
  });
}

/** The useful parts of an error body: `{detail:{code,message,request_id}}`, or 422's `{detail:[{msg,loc}]}`. */
function readDetail(text: string): { code?: string; message?: string; requestId?: string } {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return {};
  }
  const detail = (body as { detail?: unknown } | null)?.detail;
  if (Array.isArray(detail)) {
    const issues = detail as Array<{ loc?: unknown[]; msg?: string }>;
    return {
      code: 'validation_error',
      message: issues.map((i) => `${i.loc?.join('.')}: ${i.msg}`).join('; '),
    };
  }
  if (detail && typeof detail === 'object') {
    const { code, status, message, request_id } = detail as Record<string, unknown>;
    return {
      code: asString(code) ?? asString(status),
      message: asString(message),
      requestId: asString(request_id),
    };
  }
  return {};
}

function asString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** undici hides the useful part (ECONNRESET, other side closed) in `cause`. */
function describeNetworkError(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } } | undefined)?.cause;
  const detail = cause?.code ?? cause?.message;
  const message = error instanceof Error ? error.message : String(error);
  return detail ? `${message} (${detail})` : message;
}
