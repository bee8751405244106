import pRetry from 'p-retry';
import type { AdaptiveLimiter } from './adaptive-limiter.js';
import type { CircuitBreaker } from './circuit-breaker.js';
import type { ClientEventEmitter } from './client-events.js';
import type { ResolvedClientOptions } from './client-options.js';
import {
  AbortedError,
  CircuitOpenError,
  contextOf,
  DeadlineExceededError,
  ExternalError,
  RetriesExhaustedError,
} from './errors.js';
import { sendAttempt } from './http-attempt.js';
import type { StopReason } from './retry-policy.js';
import { decideRetry } from './retry-policy.js';

/** One API operation: what to send and how to name it in events and logs. */
export interface Operation {
  /** e.g. `'getAgent'`. */
  operation: string;
  /** Path template, e.g. `'/v1/convai/agents/:agent_id'`. */
  route: string;
  method: string;
  /** The real path with its query, e.g. `'/v1/convai/agents/agent_…'`. */
  path: string;
  /** Extra log context, e.g. `{ agentId }`. */
  logContext?: Record<string, unknown>;
}

/** Everything one call needs besides the operation. */
export interface ExecutorParts {
  options: ResolvedClientOptions;
  events: ClientEventEmitter;
  breaker: CircuitBreaker;
  limiter: AdaptiveLimiter;
}

/**
 * Runs one operation to its end: attempts through the breaker and the concurrency limit, retries
 * with p-retry under the policy and the deadline, one event per attempt, one log line per final
 * failure.
 *
 * @example
 * const config = await executor.execute<AgentConfig>(operation, 30_000, signal);
 */
export class RequestExecutor {
  constructor(private readonly parts: ExecutorParts) {}

  async execute<T>(op: Operation, deadlineMs: number, signal?: AbortSignal): Promise<T> {
    const { options, events } = this.parts;
    const context = { operation: op.operation, route: op.route };
    const deadline = new AbortController();
    const timer = setTimeout(
      () => deadline.abort(new DeadlineExceededError(deadlineMs, context)),
      deadlineMs,
    );
    const callSignal = signal ? AbortSignal.any([signal, deadline.signal]) : deadline.signal;
    const deadlineAt = options.clock.now() + deadlineMs;
    let stop: StopReason | undefined;
    let attempts = 0;
    let lastDurationMs: number | undefined;
    const attempt = async (attemptNumber: number) => {
      attempts = attemptNumber;
      lastDurationMs = undefined;
      return this.parts.limiter.run(async (generation) => {
        const started = performance.now();
        try {
          const { status, body } = await this.#send<T>(op, callSignal, generation);
          const durationMs = performance.now() - started;
          events.emit('attempt', { ...eventBase(op, attemptNumber, durationMs), status, outcome: 'success' });
          return body;
        } catch (error) {
          if (!(error instanceof CircuitOpenError)) lastDurationMs = performance.now() - started;
          throw error;
        }
      });
    };
    try {
      return await pRetry(attempt, {
        retries: options.retry.retries,
        minTimeout: 0,
        signal: callSignal,
        onFailedAttempt: async ({ error, attemptNumber }) => {
          const failure = asExternal(error, callSignal, context);
          const decision = decideRetry(options.retry, {
            error: failure,
            method: op.method,
            attempt: attemptNumber,
            now: options.clock.now(),
            deadlineAt,
            random: options.random,
          });
          stop = decision.retry ? undefined : decision.reason;
          if (lastDurationMs !== undefined) {
            events.emit('attempt', {
              ...eventBase(op, attemptNumber, lastDurationMs),
              status: failure.status,
              errorCode: failure.code,
              outcome: decision.retry ? 'retry' : 'failure',
              retryInMs: decision.retry ? decision.delayMs : undefined,
            });
          }
          if (decision.retry) await options.clock.sleep(decision.delayMs, callSignal);
        },
        shouldRetry: () => stop === undefined,
      });
    } catch (error) {
      const final = finalError(asExternal(error, callSignal, context), stop, deadlineMs, attempts);
      this.#report(final, op);
      throw final;
    } finally {
      clearTimeout(timer);
    }
  }

  async #send<T>(op: Operation, signal: AbortSignal, generation: number) {
    const { options, breaker, limiter } = this.parts;
    if (!breaker.tryPass()) throw new CircuitOpenError({ operation: op.operation, route: op.route });
    try {
      const response = await sendAttempt<T>({
        url: `${options.baseUrl}${op.path}`,
        method: op.method,
        apiKey: options.apiKey,
        timeoutMs: options.attemptTimeoutMs,
        maxBodyBytes: options.maxResponseBytes,
        signal,
        context: { operation: op.operation, route: op.route },
        now: options.clock.now,
      });
      breaker.recordSuccess();
      limiter.recordSuccess();
      return response;
    } catch (error) {
      const failure = error as ExternalError;
      if (failure.status === 429) {
        breaker.recordNeutral();
        if (failure.code === 'PERFKIT_EXT_CONCURRENCY_LIMITED') {
          limiter.recordConcurrencyLimited(generation, failure.maxConcurrentRequests);
        }
      } else if (failure.retryable) breaker.recordFailure();
      else if (failure.status !== undefined) breaker.recordSuccess();
      else breaker.recordNeutral();
      throw error;
    }
  }

  /** Each final failure once: an event and a log line. A caller's abort is not a failure of the service. */
  #report(error: ExternalError, op: Operation): void {
    if (error.code === 'PERFKIT_EXT_ABORTED') return;
    const { operation, route, code, status, attempts } = error;
    this.parts.events.emit('failure', { operation: op.operation, route: op.route, code, status, attempts });
    this.parts.options.logger?.error(
      {
        ...op.logContext,
        operation: operation ?? op.operation,
        route: route ?? op.route,
        code,
        status,
        apiCode: error.apiCode,
        requestId: error.requestId,
        attempts,
        retryAfterMs: error.retryAfterMs,
        message: error.message,
      },
      'ElevenLabs call failed',
    );
  }
}

function eventBase(op: Operation, attempt: number, durationMs: number) {
  const { operation, route, method } = op;
  return { operation, route, method, attempt, durationMs: Math.round(durationMs * 100) / 100 };
}

/** p-retry rethrows what an attempt or the backoff threw: our errors, or the signal's reason. */
function asExternal(
  error: unknown,
  signal: AbortSignal,
  context: { operation: string; route: string },
): ExternalError {
  if (error instanceof ExternalError) return error;
  const reason: unknown = signal.reason;
  if (reason instanceof ExternalError) return reason;
  return new AbortedError({ ...context, cause: signal.aborted ? reason : error });
}

function finalError(
  error: ExternalError,
  stop: StopReason | undefined,
  deadlineMs: number,
  attempts: number,
) {
  let final = error;
  if (stop === 'exhausted' && error.retryable) final = new RetriesExhaustedError(error, attempts);
  if (stop === 'deadline')
    final = new DeadlineExceededError(deadlineMs, { ...contextOf(error), cause: error });
  final.attempts = attempts;
  return final;
}
