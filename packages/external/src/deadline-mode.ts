import type { Clock } from '@perfkit/primitives';
import type { AgentConfig } from './elevenlabs-types.js';
import type { ExternalError } from './errors.js';

/** Why a config is what it is: fetched or cached young (`fresh`), last known (`stale`), still coming (`pending`), or none. */
export type ConfigStatus = 'fresh' | 'stale' | 'pending' | 'unavailable';

/** One agent's answer in deadline mode. */
export interface AgentConfigEntry {
  agentId: string;
  status: ConfigStatus;
  /** `null` when `pending` or `unavailable`. */
  config: AgentConfig | null;
  /** Age of the config in ms (0 when fetched within the budget). */
  ageMs?: number;
  /** The failure behind a `stale` or `unavailable` answer: this call's fetch, or a recent one remembered. */
  error?: ExternalError;
}

/** A cached config and its age, if any. */
type Peeked = { value: AgentConfig; ageMs: number } | undefined;

/** What deadline mode needs from the client. */
export interface DeadlineModeDeps {
  /** The cached config and its age; never rejects. */
  peek(agentId: string): Promise<Peeked>;
  /** The config the cache holds in this process, at once, if it can say; never throws. */
  peekLocal?(agentId: string): Peeked;
  /**
   * A failure of this agent's fetch still remembered, and newer than the config `cached` (if any):
   * answered at once, and not fetched again meanwhile.
   */
  recentFailure?(agentId: string, cached: Peeked): ExternalError | undefined;
  /** Fetches (or joins the fetch of) one config, filling the cache; runs on after the budget. */
  refresh(agentId: string): Promise<AgentConfig>;
  freshForMs: number;
  /** Age past `freshForMs` during which a cached config is answered `stale` at once while it is refreshed. */
  staleWhileRevalidateMs: number;
  clock: Clock;
}

const BUDGET_OVER: unique symbol = Symbol('budget over');
const NEXT_TURN: unique symbol = Symbol('next turn');

/** Why the budget timer is stopped: never seen by a caller, and allocated once. */
const BUDGET_SETTLED = Object.freeze({ settled: true });

/**
 * Answers for every id within `budgetMs`: a cached config younger than `freshForMs` is `fresh` at once;
 * one younger than `freshForMs + staleWhileRevalidateMs` is `stale` at once and refreshed in the
 * background; otherwise a fetch starts and whatever it has by the end of the budget is the answer.
 * Fetches still running are neither aborted nor failures: they finish in the background and fill the
 * cache.
 *
 * A list the cache answers whole costs no timer: the budget's timer, an AbortController and a race per
 * id were most of a warm list's cost. Answered by `peekLocal` (every config in memory, young enough),
 * it costs no peek promise either; answered by `peek` within one turn of the event loop, the turn.
 * The budget counts from the call. Starting a fetch costs CPU, and thousands of them started at once
 * would hold the event loop past the budget's timer: a fetch not started when the budget is spent is
 * started on a later turn, after the answer (`pending`, or the cached config `stale`).
 *
 * @example
 * const entries = await configsWithinBudget(ids, 300, deps);
 */
export async function configsWithinBudget(
  agentIds: readonly string[],
  budgetMs: number,
  deps: DeadlineModeDeps,
): Promise<AgentConfigEntry[]> {
  const { peekLocal, clock } = deps;
  const startedAt = clock.now();
  const local = peekLocal ? agentIds.map((agentId) => peekLocal(agentId)) : undefined;
  if (local?.every((cached) => answersAtOnce(cached, deps))) {
    return local.map((cached, i) => atOnce(agentIds[i] as string, cached as NonNullable<Peeked>, deps));
  }
  // What memory held is reused (and was reported once); only the rest is peeked.
  const peeks = agentIds.map((agentId, i) => {
    const cached = local?.[i];
    return cached ? Promise.resolve(cached) : deps.peek(agentId);
  });
  let turn: NodeJS.Immediate | undefined;
  const nextTurn = new Promise<typeof NEXT_TURN>((resolve) => {
    turn = setImmediate(resolve, NEXT_TURN);
  });
  const peeked = await Promise.race([Promise.all(peeks), nextTurn]);
  clearImmediate(turn);
  if (peeked !== NEXT_TURN && peeked.every((cached) => answersAtOnce(cached, deps))) {
    return peeked.map((cached, i) => atOnce(agentIds[i] as string, cached as NonNullable<Peeked>, deps));
  }
  const timer = new AbortController();
  const over = (): typeof BUDGET_OVER => BUDGET_OVER;
  const budgetOver = clock
    .sleep(Math.max(0, startedAt + budgetMs - clock.now()), timer.signal)
    .then(over, over);
  const spent = () => clock.now() - startedAt >= budgetMs;
  try {
    return await Promise.all(
      agentIds.map((agentId, i) => entryFor(agentId, peeks[i] as Promise<Peeked>, budgetOver, spent, deps)),
    );
  } finally {
    // With a reason of our own: a bare abort() builds a DOMException (and its stack) on every call.
    timer.abort(BUDGET_SETTLED);
  }
}

async function entryFor(
  agentId: string,
  peek: Promise<Peeked>,
  budgetOver: Promise<typeof BUDGET_OVER>,
  spent: () => boolean,
  deps: DeadlineModeDeps,
): Promise<AgentConfigEntry> {
  const cached = await Promise.race([peek, budgetOver.then(() => undefined)]);
  if (cached && answersAtOnce(cached, deps)) return atOnce(agentId, cached, deps);
  const failed = deps.recentFailure?.(agentId, cached);
  if (failed) return failure(agentId, cached, failed);
  if (spent()) {
    setImmediate(() => deps.refresh(agentId).catch(ignore));
    return notYet(agentId, cached);
  }
  const outcome = await Promise.race([
    deps.refresh(agentId).then(
      (config) => ({ config }),
      (error: ExternalError) => ({ error }),
    ),
    budgetOver,
  ]);
  if (outcome === BUDGET_OVER) return notYet(agentId, cached);
  if ('config' in outcome) return { agentId, status: 'fresh', config: outcome.config, ageMs: 0 };
  return failure(agentId, cached, outcome.error);
}

/** A failed fetch's answer: the last known config `stale`, or `unavailable`, with the error. */
function failure(agentId: string, cached: Peeked, error: ExternalError): AgentConfigEntry {
  return cached
    ? { agentId, status: 'stale', config: cached.value, ageMs: cached.ageMs, error }
    : { agentId, status: 'unavailable', config: null, error };
}

/** Whether `cached` is young enough to answer without waiting: fresh, or within the stale-while-revalidate window. */
function answersAtOnce(cached: Peeked, deps: DeadlineModeDeps): boolean {
  return cached !== undefined && cached.ageMs <= deps.freshForMs + deps.staleWhileRevalidateMs;
}

/**
 * The answer of a config young enough to answer at once; past `freshForMs`, it is refreshed in the
 * background, unless its last fetch failed recently: then it is `stale` with that failure.
 */
function atOnce(agentId: string, cached: NonNullable<Peeked>, deps: DeadlineModeDeps): AgentConfigEntry {
  if (cached.ageMs <= deps.freshForMs)
    return { agentId, status: 'fresh', config: cached.value, ageMs: cached.ageMs };
  const failed = deps.recentFailure?.(agentId, cached);
  if (failed) return failure(agentId, cached, failed);
  // The refresh's failures are the background fetch's own (retried, logged); this answer is given.
  deps.refresh(agentId).catch(ignore);
  return { agentId, status: 'stale', config: cached.value, ageMs: cached.ageMs };
}

function ignore(): void {}

/** The answer while a fetch is still running: the last known config `stale`, or `pending`. */
function notYet(agentId: string, cached: Peeked): AgentConfigEntry {
  return cached
    ? { agentId, status: 'stale', config: cached.value, ageMs: cached.ageMs }
    : { agentId, status: 'pending', config: null };
}
