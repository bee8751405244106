import type { ExternalError } from './errors.js';

/** The retry rules, resolved: plain numbers, no behaviour. */
export interface RetryPolicy {
  /** Retries after the first attempt. */
  retries: number;
  /** Wait before the first retry, in ms. */
  minDelayMs: number;
  /** Multiplier of the wait from one retry to the next. */
  factor: number;
  /** Upper bound of a computed backoff wait, in ms. */
  maxDelayMs: number;
  /** Draw each wait uniformly between half and all of the computed one. */
  jitter: boolean;
  /** Longest `Retry-After` honoured; a longer one ends the call instead. */
  maxRetryAfterMs: number;
  /** Methods retried (upper case). */
  methods: ReadonlySet<string>;
}

/** Why a failed attempt is the last one. */
export type StopReason =
  | 'not_retryable'
  | 'method_not_retried'
  | 'exhausted'
  | 'retry_after_too_long'
  | 'deadline';

/** What to do after a failed attempt. */
export type RetryDecision = { retry: true; delayMs: number } | { retry: false; reason: StopReason };

/** The facts a decision needs. */
export interface FailedAttempt {
  error: ExternalError;
  method: string;
  /** 1-based number of the attempt that failed. */
  attempt: number;
  now: number;
  /** Epoch ms by which the call must be over. */
  deadlineAt: number;
  random: () => number;
}

/**
 * Decides whether to retry a failed attempt and after how long: the backoff (or `Retry-After`, up to
 * the cap), never a wait that would pass the deadline.
 *
 * @example
 * decideRetry(policy, { error, method: 'GET', attempt: 1, now, deadlineAt, random: Math.random });
 * // { retry: true, delayMs: 1000 }
 */
export function decideRetry(policy: RetryPolicy, failed: FailedAttempt): RetryDecision {
  const { error } = failed;
  if (!error.retryable) return { retry: false, reason: 'not_retryable' };
  if (!policy.methods.has(failed.method)) return { retry: false, reason: 'method_not_retried' };
  if (failed.attempt > policy.retries) return { retry: false, reason: 'exhausted' };
  if (error.retryAfterMs !== undefined && error.retryAfterMs > policy.maxRetryAfterMs) {
    return { retry: false, reason: 'retry_after_too_long' };
  }
  const delayMs = error.retryAfterMs ?? backoffDelay(policy, failed.attempt, failed.random);
  if (failed.now + delayMs >= failed.deadlineAt) return { retry: false, reason: 'deadline' };
  return { retry: true, delayMs };
}

/**
 * The backoff wait before retry number `retry` (1-based): `minDelay × factor^(retry−1)`, capped,
 * with optional jitter.
 *
 * @example
 * [1, 2, 3].map((n) => backoffDelay(policy, n, Math.random)); // [1000, 2000, 4000] by default
 */
export function backoffDelay(policy: RetryPolicy, retry: number, random: () => number): number {
  const delay = Math.min(policy.minDelayMs * policy.factor ** (retry - 1), policy.maxDelayMs);
  return policy.jitter ? Math.round(delay * (0.5 + random() / 2)) : delay;
}

/**
 * Milliseconds a `Retry-After` header asks to wait: delay-seconds or an HTTP-date; `undefined` when
 * absent or unreadable.
 *
 * @example
 * parseRetryAfter('2', Date.now()); // 2000
 */
export function parseRetryAfter(header: string | null, now: number): number | undefined {
  if (header === null || header.trim() === '') return undefined;
  if (/^\d+$/.test(header.trim())) return Number(header.trim()) * 1000;
  // An HTTP-date names its day and month; Date.parse alone also reads '-1' or '0.5' as dates (past ones).
  if (!/[a-z]/i.test(header)) return undefined;
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
