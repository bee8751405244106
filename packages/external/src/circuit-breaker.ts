/** The three states of a circuit breaker. */
export type BreakerState = 'closed' | 'open' | 'half_open';

/** Settings of a {@link CircuitBreaker}. */
export interface CircuitBreakerSettings {
  /** Consecutive failures that open the circuit. */
  failureThreshold: number;
  /** How long the circuit stays open before one probe is let through, in ms. */
  cooldownMs: number;
  now: () => number;
  onStateChange: (state: BreakerState) => void;
}

/**
 * Opens after `failureThreshold` consecutive failures, lets one probe through after `cooldownMs`
 * (half-open), closes on the probe's success and opens again on its failure.
 *
 * @example
 * if (!breaker.tryPass()) throw new CircuitOpenError({});
 * try { const r = await send(); breaker.recordSuccess(); return r; }
 * catch (e) { breaker.recordFailure(); throw e; }
 */
export class CircuitBreaker {
  #state: BreakerState = 'closed';
  #failures = 0;
  #openedAt = 0;
  #probeInFlight = false;

  constructor(private readonly settings: CircuitBreakerSettings) {}

  get state(): BreakerState {
    return this.#state;
  }

  /** Whether a request may be sent now; in half-open state only one probe at a time. */
  tryPass(): boolean {
    if (this.#state === 'open' && this.settings.now() - this.#openedAt >= this.settings.cooldownMs) {
      this.#transition('half_open');
    }
    if (this.#state === 'closed') return true;
    if (this.#state === 'open' || this.#probeInFlight) return false;
    this.#probeInFlight = true;
    return true;
  }

  /** The service answered (any answer that is not its failure, a 404 included). */
  recordSuccess(): void {
    this.#failures = 0;
    this.#probeInFlight = false;
    if (this.#state !== 'closed') this.#transition('closed');
  }

  /** The service failed: 5xx, timeout, network error, cut body. */
  recordFailure(): void {
    this.#failures++;
    this.#probeInFlight = false;
    if (this.#state === 'half_open' || this.#failures >= this.settings.failureThreshold) {
      this.#openedAt = this.settings.now();
      if (this.#state !== 'open') this.#transition('open');
    }
  }

  /** The attempt says nothing about the service's health (a 429, an abort): free the probe slot. */
  recordNeutral(): void {
    this.#probeInFlight = false;
  }

  #transition(state: BreakerState): void {
    this.#state = state;
    this.settings.onStateChange(state);
  }
}
