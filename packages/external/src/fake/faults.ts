import type { Random } from '@perfkit/primitives';
import type { LatencySpec } from './latency.js';
import { validateLatency } from './latency.js';

/** How a `Retry-After` header is written: delay-seconds or an HTTP-date. */
export type RetryAfterFormat = 'seconds' | 'http-date';

/** The two 429 codes of ElevenLabs. */
export type RateLimitCode = 'rate_limit_exceeded' | 'concurrent_limit_exceeded';

/** Statuses of a `redirect` fault. */
export type RedirectStatus = 301 | 302 | 303 | 307 | 308;

/**
 * One injected fault, served instead of the normal answer.
 *
 * - `status`: an error status (408, 500, 503, 400, …) with the real error body;
 * - `rate_limit`: a 429 with `code`, and with `Retry-After` when `retryAfterSeconds` is set;
 * - `hang`: the request is accepted and never answered;
 * - `stall_body`: the status, headers and half the body are sent, the rest never comes;
 * - `reset`: the connection is destroyed without an answer;
 * - `malformed_json`: a 200 whose body is cut in the middle of the JSON;
 * - `redirect`: a 3xx (default 307) to `location` with the request's path and query, as a misrouted
 *   proxy or a hijacked DNS name would answer (the real API never redirects);
 * - `long_prompt`: an agent config whose system prompt makes the body `bytes` long, streamed in chunks
 *   without `content-length` (other routes answer normally).
 *
 * @example
 * const fault: Fault = { kind: 'rate_limit', code: 'rate_limit_exceeded', retryAfterSeconds: 2 };
 */
export type Fault =
  | { kind: 'status'; status: number; retryAfterSeconds?: number; retryAfterFormat?: RetryAfterFormat }
  | {
      kind: 'rate_limit';
      code?: RateLimitCode;
      retryAfterSeconds?: number;
      retryAfterFormat?: RetryAfterFormat;
    }
  | { kind: 'hang' }
  | { kind: 'stall_body' }
  | { kind: 'reset' }
  | { kind: 'malformed_json' }
  | { kind: 'redirect'; location: string; status?: RedirectStatus }
  | { kind: 'long_prompt'; bytes: number };

/**
 * Faults for one scope: the whole run, or one agent id.
 *
 * @example
 * // a burst of three 429s for the next three requests, then 10% of 503s
 * const plan: FaultPlan = {
 *   sequence: [{ fault: { kind: 'rate_limit' }, times: 3 }],
 *   rates: [{ fault: { kind: 'status', status: 503 }, rate: 0.1 }],
 * };
 */
export interface FaultPlan {
  /** Faults served in order to the next requests of this scope, before any rate applies. Default: none. */
  sequence?: Array<{ fault: Fault; times?: number }>;
  /** Per-request probabilities (summing to at most 1), drawn from the seeded PRNG. Default: none. */
  rates?: Array<{ fault: Fault; rate: number }>;
  /** Latency of this scope's requests, overriding the server's. Default: the server's latency. */
  latency?: LatencySpec;
}

/** The mutable state of one scope: what is left of its sequence. */
export class FaultScope {
  readonly #queue: Fault[];

  constructor(readonly plan: FaultPlan) {
    this.#queue = (plan.sequence ?? []).flatMap(({ fault, times = 1 }) => Array<Fault>(times).fill(fault));
  }

  /** The next fault of the sequence, or one drawn from the rates, or `undefined` for a normal answer. */
  next(random: Random): Fault | undefined {
    const queued = this.#queue.shift();
    if (queued) return queued;
    let draw = random();
    for (const { fault, rate } of this.plan.rates ?? []) {
      if (draw < rate) return fault;
      draw -= rate;
    }
    return undefined;
  }
}

/** Throws a clear error for an impossible fault plan. */
export function validateFaultPlan(plan: FaultPlan, where: string): void {
  for (const { fault, times = 1 } of plan.sequence ?? []) {
    validateFault(fault, where);
    if (!Number.isInteger(times) || times < 1)
      throw new TypeError(`${where}: sequence times must be an integer >= 1, got ${times}`);
  }
  let total = 0;
  for (const { fault, rate } of plan.rates ?? []) {
    validateFault(fault, where);
    if (!(rate >= 0 && rate <= 1)) throw new TypeError(`${where}: a fault rate must be in 0..1, got ${rate}`);
    total += rate;
  }
  if (total > 1 + 1e-9) throw new TypeError(`${where}: fault rates sum to ${total}, more than 1`);
  if (plan.latency) validateLatency(plan.latency, `${where}.latency`);
}

const FAULT_KINDS = new Set([
  'status',
  'rate_limit',
  'hang',
  'stall_body',
  'reset',
  'malformed_json',
  'redirect',
  'long_prompt',
]);
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

function validateFault(fault: Fault, where: string): void {
  if (!FAULT_KINDS.has(fault.kind))
    throw new TypeError(`${where}: unknown fault kind ${JSON.stringify(fault.kind)}`);
  if (
    fault.kind === 'status' &&
    !(Number.isInteger(fault.status) && fault.status >= 400 && fault.status <= 599)
  ) {
    throw new TypeError(`${where}: a status fault needs an HTTP error status 400..599, got ${fault.status}`);
  }
  if (
    'retryAfterSeconds' in fault &&
    fault.retryAfterSeconds !== undefined &&
    !(fault.retryAfterSeconds >= 0)
  ) {
    throw new TypeError(`${where}: retryAfterSeconds must be >= 0, got ${fault.retryAfterSeconds}`);
  }
  if (fault.kind === 'redirect') {
    if (!URL.canParse(fault.location)) {
      throw new TypeError(
        `${where}: a redirect needs an absolute location, got ${JSON.stringify(fault.location)}`,
      );
    }
    if (fault.status !== undefined && !REDIRECT_STATUSES.has(fault.status)) {
      throw new TypeError(
        `${where}: a redirect status must be 301, 302, 303, 307 or 308, got ${fault.status}`,
      );
    }
  }
  if (fault.kind === 'long_prompt' && !(Number.isInteger(fault.bytes) && fault.bytes > 0)) {
    throw new TypeError(`${where}: long_prompt bytes must be a positive integer, got ${fault.bytes}`);
  }
}
