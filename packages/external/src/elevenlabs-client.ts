import { type Duration, parseTimerDuration } from '@perfkit/primitives';
import { AdaptiveLimiter } from './adaptive-limiter.js';
import type { BreakerState } from './circuit-breaker.js';
import { CircuitBreaker } from './circuit-breaker.js';
import type { ClientEventListener, ElevenLabsClientEvents } from './client-events.js';
import { ClientEventEmitter } from './client-events.js';
import type { ElevenLabsClientOptions, ResolvedClientOptions } from './client-options.js';
import { resolveClientOptions } from './client-options.js';
import type { AgentConfigEntry } from './deadline-mode.js';
import { configsWithinBudget, type DeadlineModeDeps } from './deadline-mode.js';
import type { AgentConfig, AgentListPage } from './elevenlabs-types.js';
import type { ExternalError } from './errors.js';
import { InvalidArgumentError } from './errors.js';
import { FailureMemory } from './failure-memory.js';
import { RequestExecutor } from './request-executor.js';
import { SingleFlight } from './single-flight.js';

/** Per-call options. */
export interface CallOptions {
  /** Aborts the call, its backoff waits included. */
  signal?: AbortSignal;
  /** Overrides the client's `deadline` for this call. */
  deadline?: Duration;
}

/** Options of `listAgents`. */
export interface ListAgentsOptions extends CallOptions {
  /** Agents per page, 1..100. Default: `100`. */
  pageSize?: number;
  /** Filter on the agent name. */
  search?: string;
}

/** One agent's result in `getAgents`: partial success is normal, so nothing throws. */
export type AgentResult =
  | { agentId: string; ok: true; config: AgentConfig }
  | { agentId: string; ok: false; error: ExternalError };

const AGENT_ROUTE = '/v1/convai/agents/:agent_id';
const LIST_ROUTE = '/v1/convai/agents';
const DEFAULT_PAGE_SIZE = 100;
/** Failures of a background fetch that say nothing of the agent, so deadline mode does not remember them. */
const NOT_REMEMBERED = new Set<string>(['PERFKIT_EXT_CIRCUIT_OPEN', 'PERFKIT_EXT_ABORTED']);

/**
 * An ElevenLabs client that retries what a retry can fix, bounds every call, limits and adapts its
 * concurrency, breaks the circuit on a failing service, and answers the dashboard within a budget.
 * One client holds one API key, so its circuit breaker is that key's.
 *
 * @example
 * const client = new ElevenLabsClient({ apiKey: process.env.ELEVENLABS_API_KEY!, cache });
 * client.on('attempt', (e) => console.log(e.route, e.durationMs, e.outcome));
 * const entries = await client.getAgentConfigs(ids, { budgetMs: 300 });
 */
export class ElevenLabsClient {
  readonly #options: ResolvedClientOptions;
  readonly #events: ClientEventEmitter;
  readonly #breaker: CircuitBreaker;
  readonly #limiter: AdaptiveLimiter;
  readonly #executor: RequestExecutor;
  readonly #flights = new SingleFlight<AgentConfig>();
  readonly #failures: FailureMemory;
  readonly #background = new Set<Promise<unknown>>();
  readonly #deadlineDeps: DeadlineModeDeps;

  constructor(options: ElevenLabsClientOptions) {
    this.#options = resolveClientOptions(options);
    const { logger, clock, breaker, concurrency, minConcurrency } = this.#options;
    this.#events = new ClientEventEmitter((error) =>
      logger?.warn({ err: error }, 'ElevenLabs client event listener threw'),
    );
    this.#breaker = new CircuitBreaker({
      ...breaker,
      now: clock.now,
      onStateChange: (state) => {
        if (state === 'open')
          logger?.warn({ cooldownMs: breaker.cooldownMs }, 'ElevenLabs circuit breaker opened');
        this.#events.emit('breaker', { state });
      },
    });
    this.#limiter = new AdaptiveLimiter(concurrency, minConcurrency, (limit) =>
      this.#events.emit('concurrency', { limit }),
    );
    this.#executor = new RequestExecutor({
      options: this.#options,
      events: this.#events,
      breaker: this.#breaker,
      limiter: this.#limiter,
    });
    this.#failures = new FailureMemory(this.#options.failureMemoryMs, clock.now);
    this.#deadlineDeps = this.#createDeadlineDeps();
  }

  /** Subscribes to `'attempt'`, `'breaker'`, `'concurrency'` or `'failure'`. */
  on<E extends keyof ElevenLabsClientEvents>(event: E, listener: ClientEventListener<E>): this {
    this.#events.on(event, listener);
    return this;
  }

  /** Unsubscribes a listener added with `on`. */
  off<E extends keyof ElevenLabsClientEvents>(event: E, listener: ClientEventListener<E>): this {
    this.#events.off(event, listener);
    return this;
  }

  /** The circuit breaker's state. */
  get breakerState(): BreakerState {
    return this.#breaker.state;
  }

  /** The current (adaptive) concurrency limit. */
  get concurrency(): number {
    return this.#limiter.limit;
  }

  /**
   * One agent's configuration. Concurrent calls for the same id share one request.
   *
   * @example
   * const config = await client.getAgent('agent_…', { signal: AbortSignal.timeout(5000) });
   */
  getAgent(agentId: string, options: CallOptions = {}): Promise<AgentConfig> {
    assertAgentId(agentId);
    const deadlineMs = this.#deadlineMs(options);
    return this.#flights.run(
      agentId,
      (signal) => this.#fetchAgent(agentId, deadlineMs, signal),
      options.signal,
    );
  }

  /**
   * Many configurations at once, at most `concurrency` requests in flight, one per distinct id.
   *
   * @example
   * for (const r of await client.getAgents(ids)) if (!r.ok) console.warn(r.agentId, r.error.code);
   */
  getAgents(agentIds: readonly string[], options: CallOptions = {}): Promise<AgentResult[]> {
    agentIds.forEach(assertAgentId);
    return Promise.all(
      agentIds.map((agentId) =>
        this.getAgent(agentId, options).then(
          (config): AgentResult => ({ agentId, ok: true, config }),
          (error: ExternalError): AgentResult => ({ agentId, ok: false, error }),
        ),
      ),
    );
  }

  /**
   * The agents of the account, page by page (cursor pagination).
   *
   * @example
   * for await (const page of client.listAgents({ pageSize: 50 })) names.push(...page.agents.map((a) => a.name));
   */
  async *listAgents(options: ListAgentsOptions = {}): AsyncGenerator<AgentListPage, void, undefined> {
    const pageSize = options.pageSize ?? DEFAULT_PAGE_SIZE;
    if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 100) {
      throw new InvalidArgumentError('pageSize', `must be an integer in 1..100, got ${pageSize}`);
    }
    const deadlineMs = this.#deadlineMs(options);
    let cursor: string | null = null;
    do {
      const query = new URLSearchParams({ page_size: String(pageSize) });
      if (options.search) query.set('search', options.search);
      if (cursor) query.set('cursor', cursor);
      const operation = {
        operation: 'listAgents',
        route: LIST_ROUTE,
        method: 'GET',
        path: `${LIST_ROUTE}?${query}`,
      };
      const page: AgentListPage = await this.#executor.execute<AgentListPage>(
        operation,
        deadlineMs,
        options.signal,
      );
      yield page;
      cursor = page.has_more ? page.next_cursor : null;
    } while (cursor);
  }

  /**
   * Deadline mode, for a response that must not wait on ElevenLabs: within `budgetMs`, each id's config
   * with its status — `fresh`, `stale` (last known, from the cache), `pending` (still being fetched: it
   * finishes in the background under `backgroundDeadline` and fills the cache) or `unavailable`. The
   * entries come in the order of `agentIds`.
   *
   * @example
   * const entries = await client.getAgentConfigs(ids, { budgetMs: 300 });
   * entries.map((e) => ({ id: e.agentId, config: e.config, configStatus: e.status }));
   */
  getAgentConfigs(agentIds: readonly string[], options: { budgetMs: number }): Promise<AgentConfigEntry[]> {
    agentIds.forEach(assertAgentId);
    const budgetMs = parseTimerDuration(options?.budgetMs, 'budgetMs', InvalidArgumentError);
    return configsWithinBudget(agentIds, budgetMs, this.#deadlineDeps);
  }

  /** What deadline mode asks of this client: built once, as every agents request goes through it. */
  #createDeadlineDeps(): DeadlineModeDeps {
    const { cache, cacheKeyPrefix, freshForMs, staleWhileRevalidateMs, clock } = this.#options;
    return {
      freshForMs,
      staleWhileRevalidateMs,
      clock,
      peek: async (agentId) => {
        try {
          return await cache?.peek<AgentConfig>(cacheKeyPrefix + agentId);
        } catch (error) {
          this.#cacheReadFailed(agentId, error);
          return undefined;
        }
      },
      ...(cache?.peekLocal ? { peekLocal: (agentId: string) => this.#peekLocal(agentId) } : {}),
      recentFailure: (agentId, cached) =>
        this.#failures.recall(agentId, cached === undefined ? undefined : clock.now() - cached.ageMs),
      refresh: (agentId) => this.#refreshInBackground(agentId),
    };
  }

  /** The cache's `peekLocal`; a failure is logged, and `peek` then asks. */
  #peekLocal(agentId: string): { value: AgentConfig; ageMs: number } | undefined {
    const { cache, cacheKeyPrefix } = this.#options;
    try {
      return cache?.peekLocal?.<AgentConfig>(cacheKeyPrefix + agentId);
    } catch (error) {
      this.#cacheReadFailed(agentId, error);
      return undefined;
    }
  }

  #cacheReadFailed(agentId: string, error: unknown): void {
    this.#options.logger?.warn({ agentId, err: error }, 'ElevenLabs config cache read failed');
  }

  /** Resolves once every background fetch started by `getAgentConfigs` has settled. */
  async idle(): Promise<void> {
    while (this.#background.size > 0) await Promise.allSettled([...this.#background]);
  }

  #refreshInBackground(agentId: string): Promise<AgentConfig> {
    const { backgroundDeadlineMs } = this.#options;
    const flight = this.#flights.run(agentId, (signal) =>
      this.#fetchAgent(agentId, backgroundDeadlineMs, signal),
    );
    this.#background.add(flight);
    flight.then(
      () => this.#background.delete(flight),
      (error: ExternalError) => {
        this.#background.delete(flight);
        // An open breaker says nothing of this agent, and answers at once by itself; an abort (of a
        // caller's getAgent this refresh joined) is no answer from ElevenLabs at all.
        if (!NOT_REMEMBERED.has(error.code)) this.#failures.remember(agentId, error);
      },
    );
    return flight;
  }

  async #fetchAgent(agentId: string, deadlineMs: number, signal: AbortSignal): Promise<AgentConfig> {
    const operation = {
      operation: 'getAgent',
      route: AGENT_ROUTE,
      method: 'GET',
      path: `/v1/convai/agents/${encodeURIComponent(agentId)}`,
      logContext: { agentId },
    };
    const config = await this.#executor.execute<AgentConfig>(operation, deadlineMs, signal);
    this.#failures.forget(agentId);
    await this.#cacheConfig(agentId, config);
    return config;
  }

  async #cacheConfig(agentId: string, config: AgentConfig): Promise<void> {
    const { cache, cacheKeyPrefix, cacheTtlMs, logger } = this.#options;
    try {
      await cache?.set(cacheKeyPrefix + agentId, config, { ttl: cacheTtlMs });
    } catch (error) {
      logger?.warn({ agentId, err: error }, 'ElevenLabs config cache write failed');
    }
  }

  #deadlineMs(options: CallOptions): number {
    return options.deadline === undefined
      ? this.#options.deadlineMs
      : parseTimerDuration(options.deadline, 'deadline', InvalidArgumentError, { positive: true });
  }
}

function assertAgentId(agentId: string): void {
  // '.' and '..' stay as they are when encoded, and the URL resolves them to another endpoint.
  if (
    typeof agentId !== 'string' ||
    agentId === '' ||
    agentId === '.' ||
    agentId === '..' ||
    agentId.includes('/')
  ) {
    throw new InvalidArgumentError(
      'agentId',
      `must be a non-empty string without '/', and not '.' or '..', got ${JSON.stringify(agentId)}`,
    );
  }
}
