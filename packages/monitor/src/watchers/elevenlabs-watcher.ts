import type { NowClock } from '@perfkit/primitives';
import { createLatencyHistogram, type LatencySummary, summarize } from '../histogram/latency-histogram.js';
import { SlidingWindow } from '../histogram/sliding-window.js';
import type { MonitorMetrics } from '../metrics/monitor-metrics.js';
import { type EventSource, type Listeners, subscribeAll } from './subscribe.js';

/**
 * The events of `@perfkit/external`'s ElevenLabs client the monitor
 * subscribes to, declared structurally so that the monitor does not import
 * it, and with only the fields the monitor reads: the client's events carry
 * more (`attempt`, `retryInMs`, `status` of a failure…).
 *
 * @example
 * ```ts
 * const stop = monitor.watchElevenLabs(client satisfies ElevenLabsEventSource);
 * ```
 */
export interface ElevenLabsEvents {
  attempt: {
    operation: string;
    /** Path template, e.g. `/v1/convai/agents/:agent_id`. */
    route: string;
    method: string;
    durationMs: number;
    status?: number;
    errorCode?: string;
    outcome: 'success' | 'retry' | 'failure';
  };
  breaker: { state: 'closed' | 'open' | 'half_open' };
  concurrency: { limit: number };
  failure: { operation: string; route: string; code: string };
}

/**
 * Anything with `on` / `off` for {@link ElevenLabsEvents}: `@perfkit/external`'s client, or a Node `EventEmitter`.
 * The events say when the breaker state or the concurrency limit change; a source that also tells their
 * current values (the client's getters) has its gauges set from the moment it is watched.
 *
 * @example
 * ```ts
 * const source: ElevenLabsEventSource = new ElevenLabsClient({ apiKey });
 * ```
 */
export type ElevenLabsEventSource = EventSource<ElevenLabsEvents> & {
  readonly breakerState?: ElevenLabsEvents['breaker']['state'];
  readonly concurrency?: number;
};

/**
 * Third-party figures of one endpoint: attempts since start-up, and attempt
 * latency over the sliding window.
 *
 * @example
 * ```ts
 * const [endpoint] = monitor.snapshot().external;
 * ```
 */
export interface ExternalEndpointStats {
  server: string;
  operation: string;
  method: string;
  route: string;
  attempts: number;
  retries: number;
  /** Operations that failed after all retries. */
  failures: number;
  window: LatencySummary & { failedAttempts: number };
}

interface EndpointState extends Omit<ExternalEndpointStats, 'window'> {
  window: SlidingWindow;
}

const BREAKER_STATES = ['closed', 'open', 'half_open'] as const;

/** Settings the watcher shares with the monitor's other windows. */
export interface WindowSettings {
  windowMs: number;
  windowSlices: number;
  clock: NowClock;
}

/** Turns ElevenLabs client events into metrics and per-endpoint statistics. */
export class ElevenLabsWatcher {
  private readonly endpoints = new Map<string, EndpointState>();

  constructor(
    private readonly metrics: MonitorMetrics,
    private readonly settings: WindowSettings,
  ) {}

  /** Subscribes to `source`, labelled `server_address=server`; returns the function that unsubscribes. */
  watch(source: ElevenLabsEventSource, server: string): () => void {
    const m = this.metrics;
    const listeners: Listeners<ElevenLabsEvents> = {
      attempt: (e) => {
        const endpoint = this.endpointOf(server, e.operation, e.route, e.method);
        endpoint.attempts++;
        if (e.outcome === 'retry') endpoint.retries++;
        endpoint.window.record(e.durationMs * 1000, e.outcome !== 'success', this.settings.clock.now());
        m.httpClient.observe(
          {
            server_address: server,
            http_request_method: e.method,
            url_template: e.route,
            http_response_status_code: e.status ?? '',
            error_type: e.errorCode ?? '',
            outcome: e.outcome,
          },
          e.durationMs / 1000,
        );
      },
      failure: (e) => {
        const key = this.keyOf(server, e.operation, e.route);
        const endpoint = this.endpoints.get(key);
        if (endpoint !== undefined) endpoint.failures++;
        m.externalFailures.inc({ server_address: server, operation: e.operation, error_type: e.code });
      },
      breaker: (e) => {
        for (const state of BREAKER_STATES) {
          m.externalBreaker.set({ server_address: server, state }, state === e.state ? 1 : 0);
        }
      },
      concurrency: (e) => m.externalConcurrency.set({ server_address: server }, e.limit),
    };
    if (source.breakerState !== undefined) listeners.breaker({ state: source.breakerState });
    if (source.concurrency !== undefined) listeners.concurrency({ limit: source.concurrency });
    return subscribeAll(source, listeners);
  }

  stats(): ExternalEndpointStats[] {
    const now = this.settings.clock.now();
    const scratch = createLatencyHistogram();
    return [...this.endpoints.values()].map(({ window, ...counts }) => {
      scratch.reset();
      const failedAttempts = window.mergeInto(scratch, now);
      return { ...counts, window: { ...summarize(scratch), failedAttempts } };
    });
  }

  private keyOf(server: string, operation: string, route: string): string {
    return `${server}\u0000${operation}\u0000${route}`;
  }

  private endpointOf(server: string, operation: string, route: string, method: string): EndpointState {
    const key = this.keyOf(server, operation, route);
    let endpoint = this.endpoints.get(key);
    if (endpoint === undefined) {
      const { windowMs, windowSlices, clock } = this.settings;
      endpoint = {
        server,
        operation,
        method,
        route,
        attempts: 0,
        retries: 0,
        failures: 0,
        window: new SlidingWindow(windowMs, windowSlices, clock.now()),
      };
      this.endpoints.set(key, endpoint);
    }
    return endpoint;
  }
}
