import { EventEmitter } from 'node:events';

/** One HTTP attempt ended. */
export interface AttemptEvent {
  /** Client operation, e.g. `'getAgent'`. */
  operation: string;
  /** Path template, e.g. `'/v1/convai/agents/:agent_id'`, never a raw id. */
  route: string;
  method: string;
  /** 1-based. */
  attempt: number;
  durationMs: number;
  status?: number;
  /** The error's code when the attempt failed, e.g. `'PERFKIT_EXT_ATTEMPT_TIMEOUT'`. */
  errorCode?: string;
  outcome: 'success' | 'retry' | 'failure';
  /** The wait before the next attempt, when `outcome` is `'retry'`. */
  retryInMs?: number;
}

/** The circuit breaker of the client's API key changed state. */
export interface BreakerEvent {
  state: 'closed' | 'open' | 'half_open';
}

/** The adaptive concurrency limit changed. */
export interface ConcurrencyEvent {
  limit: number;
}

/** A call failed for good (logged once as well). */
export interface FailureEvent {
  operation: string;
  route: string;
  code: string;
  status?: number;
  attempts: number;
}

/**
 * The events of {@link ElevenLabsClient}, for a monitor to subscribe to without importing this package.
 *
 * @example
 * client.on('attempt', (e) => histogram.record(e.route, e.durationMs));
 */
export interface ElevenLabsClientEvents {
  attempt: AttemptEvent;
  breaker: BreakerEvent;
  concurrency: ConcurrencyEvent;
  failure: FailureEvent;
}

/** A listener of event `E`. */
export type ClientEventListener<E extends keyof ElevenLabsClientEvents> = (
  payload: ElevenLabsClientEvents[E],
) => void;

/** A typed emitter whose listener errors never break a request. */
export class ClientEventEmitter {
  readonly #emitter = new EventEmitter();

  constructor(private readonly onListenerError: (error: unknown) => void) {}

  on<E extends keyof ElevenLabsClientEvents>(event: E, listener: ClientEventListener<E>): void {
    this.#emitter.on(event, listener);
  }

  off<E extends keyof ElevenLabsClientEvents>(event: E, listener: ClientEventListener<E>): void {
    this.#emitter.off(event, listener);
  }

  emit<E extends keyof ElevenLabsClientEvents>(event: E, payload: ElevenLabsClientEvents[E]): void {
    try {
      this.#emitter.emit(event, payload);
    } catch (error) {
      this.onListenerError(error);
    }
  }
}
