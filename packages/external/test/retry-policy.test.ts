import { describe, expect, it } from 'vitest';
import { ElevenLabsHttpError, ElevenLabsNetworkError } from '../src/index.js';
import type { RetryPolicy } from '../src/retry-policy.js';
import { backoffDelay, decideRetry, parseRetryAfter } from '../src/retry-policy.js';

const policy: RetryPolicy = {
  retries: 3,
  minDelayMs: 1000,
  factor: 2,
  maxDelayMs: 30_000,
  jitter: false,
  maxRetryAfterMs: 30_000,
  methods: new Set(['GET']),
};
const now = Date.UTC(2026, 0, 1);
const failed = (overrides: Partial<Parameters<typeof decideRetry>[1]> = {}) => ({
  error: new ElevenLabsNetworkError('fetch failed', {}),
  method: 'GET',
  attempt: 1,
  now,
  deadlineAt: now + 60_000,
  random: () => 0.5,
  ...overrides,
});

describe('decideRetry', () => {
  it('retries a GET only, unless the method is opted in', () => {
    expect(decideRetry(policy, failed({ method: 'POST' }))).toEqual({
      retry: false,
      reason: 'method_not_retried',
    });
    const optedIn = { ...policy, methods: new Set(['GET', 'POST']) };
    expect(decideRetry(optedIn, failed({ method: 'POST' }))).toEqual({ retry: true, delayMs: 1000 });
  });

  it('never retries a client error', () => {
    for (const status of [400, 401, 403, 404, 422]) {
      const error = new ElevenLabsHttpError('no', { status });
      expect(decideRetry(policy, failed({ error }))).toEqual({ retry: false, reason: 'not_retryable' });
    }
  });

  it('stops after the configured retries', () => {
    expect(decideRetry(policy, failed({ attempt: 3 }))).toEqual({ retry: true, delayMs: 4000 });
    expect(decideRetry(policy, failed({ attempt: 4 }))).toEqual({ retry: false, reason: 'exhausted' });
  });

  it('prefers Retry-After to the backoff, and refuses one above the cap', () => {
    const asked = (retryAfterMs: number) =>
      new ElevenLabsHttpError('slow down', { status: 429, retryAfterMs });
    expect(decideRetry(policy, failed({ error: asked(250) }))).toEqual({ retry: true, delayMs: 250 });
    expect(decideRetry(policy, failed({ error: asked(31_000) }))).toEqual({
      retry: false,
      reason: 'retry_after_too_long',
    });
  });

  it('refuses a wait that would reach the deadline', () => {
    expect(decideRetry(policy, failed({ deadlineAt: now + 1000 }))).toEqual({
      retry: false,
      reason: 'deadline',
    });
  });
});

describe('backoffDelay', () => {
  it('caps the exponential growth at maxDelay', () => {
    expect([1, 2, 3, 6, 10].map((n) => backoffDelay(policy, n, Math.random))).toEqual([
      1000, 2000, 4000, 30_000, 30_000,
    ]);
  });

  it('keeps a jittered wait between half and all of the backoff', () => {
    const jittered = { ...policy, jitter: true };
    expect(backoffDelay(jittered, 2, () => 0)).toBe(1000);
    expect(backoffDelay(jittered, 2, () => 0.999_999)).toBe(2000);
  });
});

describe('parseRetryAfter', () => {
  it('reads delay-seconds and HTTP dates, and ignores anything else', () => {
    expect(parseRetryAfter('7', now)).toBe(7000);
    expect(parseRetryAfter(new Date(now + 12_000).toUTCString(), now)).toBe(12_000);
    expect(parseRetryAfter(new Date(now - 5000).toUTCString(), now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    // Date.parse reads these as (past) dates: a negative or fractional delay is no delay-seconds.
    expect(parseRetryAfter('-1', now)).toBeUndefined();
    expect(parseRetryAfter('0.5', now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });
});
