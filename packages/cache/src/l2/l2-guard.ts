import type { Clock, NowClock } from '@perfkit/primitives';
import { CacheL2Error, toError } from '../errors.js';
import type { CacheStore } from '../store/cache-store.js';
import { DeadlineWatch } from './deadline-watch.js';

/** Settings and hooks of an `L2Guard`. */
export interface L2GuardOptions {
  namespace: string;
  timeoutMs: number;
  /** The time limit until L2 has answered once, while its connection may still be coming up. */
  connectTimeoutMs: number;
  threshold: number;
  cooldownMs: number;
  /** Decides when the circuit's cool-down is over. */
  clock: NowClock;
  /** Times each operation. */
  waitClock: Clock;
  onError(operation: string, error: Error): void;
  /** Called once L2 is trusted again after an outage (its generation was bumped). */
  onRecovered(): void;
}

/** An L2 operation: a call on the store. */
export type L2Call<T> = (store: CacheStore) => Promise<T>;

const SKIPPED = Promise.resolve(undefined);
/** Clears tried by {@link L2Guard.recoverSoon}, `timeoutMs` apart, while L2's connection comes back up. */
const RECOVERY_TRIES = 10;

/** The call's promise; a store that throws instead of rejecting is treated as one that rejected. */
function callStore<T>(call: L2Call<T>, store: CacheStore): Promise<T> {
  try {
    return call(store);
  } catch (thrown) {
    return Promise.reject(thrown);
  }
}

/**
 * Runs L2 operations with a time limit and a circuit breaker, and never throws: a failed or skipped
 * operation resolves `undefined`. After an outage L2 is cleared (a generation bump) before it is used again,
 * because invalidations may have been lost while it was unreachable.
 *
 * @example
 * const read = await guard.run('read', (store) => store.read(namespace, key)); // undefined: carry on without L2
 */
export class L2Guard {
  private failures = 0;
  private openUntil = -1;
  private hasSucceeded = false;
  private needsRecovery = false;
  private recovery: Promise<boolean> | undefined;
  private recoveringSoon = false;
  private readonly closing = new AbortController();
  private readonly deadlines: DeadlineWatch;

  constructor(
    private readonly store: CacheStore,
    private readonly options: L2GuardOptions,
  ) {
    this.deadlines = new DeadlineWatch(options.waitClock);
  }

  get state(): 'closed' | 'open' {
    return this.openUntil < 0 ? 'closed' : 'open';
  }

  /** True while the circuit is open and its cool-down has not elapsed: L2 will not be tried. */
  isOpen(): boolean {
    return this.openUntil >= 0 && this.options.clock.now() < this.openUntil;
  }

  /** A write that invalidates (set, delete, invalidateTags, clear) failed: L2 may hold stale data. */
  markUntrusted(): void {
    this.needsRecovery = true;
  }

  /**
   * Clears L2 now if it is untrusted, even while the circuit is open, trying again `timeoutMs` apart (10
   * tries) while its connection is still coming up: the caller has a sign that L2 is back (its bus
   * reconnected), and this instance's next call may be long in coming while the others read what L2 still
   * holds. Past the tries, L2 stays untrusted and the next call clears it.
   */
  recoverSoon(): void {
    if (!this.needsRecovery || this.recoveringSoon) return;
    this.recoveringSoon = true;
    void this.retryRecovery().finally(() => {
      this.recoveringSoon = false;
    });
  }

  run<T>(operation: string, call: L2Call<T>): Promise<T | undefined> {
    if (this.isOpen()) return SKIPPED;
    if (this.needsRecovery) {
      return this.recover().then((recovered) => (recovered ? this.attempt(operation, call) : undefined));
    }
    return this.attempt(operation, call);
  }

  /** Ends the wait of every operation in flight (each carries on without L2) and leaves no timer running. */
  close(): void {
    this.closing.abort();
    this.deadlines.close();
  }

  // One promise per operation, settled by the store's answer or by the deadline, whichever comes first.
  private attempt<T>(operation: string, call: L2Call<T>): Promise<T | undefined> {
    // A starting instance waits for its connection, so its first loads take the lease like everyone else's.
    const timeoutMs = this.hasSucceeded ? this.options.timeoutMs : this.options.connectTimeoutMs;
    return new Promise((resolve) => {
      const deadline = this.deadlines.add(timeoutMs, () => {
        this.fail(
          operation,
          new CacheL2Error('PERFKIT_CACHE_L2_TIMEOUT', operation, `no answer within ${timeoutMs} ms`),
        );
        resolve(undefined);
      });
      callStore(call, this.store).then(
        (value) => {
          if (!this.deadlines.remove(deadline)) return;
          this.failures = 0;
          this.openUntil = -1;
          this.hasSucceeded = true;
          resolve(value);
        },
        (thrown: unknown) => {
          if (!this.deadlines.remove(deadline)) return;
          this.fail(operation, thrown);
          resolve(undefined);
        },
      );
    });
  }

  private async retryRecovery(): Promise<void> {
    for (let tries = 1; this.needsRecovery && !this.closing.signal.aborted; tries++) {
      if ((await this.recover()) || tries === RECOVERY_TRIES) return;
      try {
        await this.options.waitClock.sleep(this.options.timeoutMs, this.closing.signal);
      } catch {
        return; // closed
      }
    }
  }

  private recover(): Promise<boolean> {
    // Concurrent callers share one generation bump.
    const clear = async (store: CacheStore) => {
      await store.clear(this.options.namespace);
      return true;
    };
    this.recovery ??= this.attempt('clear', clear).then((done) => {
      this.recovery = undefined;
      if (done === undefined) return false;
      this.needsRecovery = false;
      this.options.onRecovered();
      return true;
    });
    return this.recovery;
  }

  private fail(operation: string, thrown: unknown): void {
    this.failures += 1;
    const error =
      thrown instanceof CacheL2Error
        ? thrown
        : new CacheL2Error('PERFKIT_CACHE_L2_UNAVAILABLE', operation, toError(thrown).message, {
            cause: thrown,
          });
    if (this.failures >= this.options.threshold) {
      this.openUntil = this.options.clock.now() + this.options.cooldownMs;
      // Before any success there is nothing of ours in L2 that an outage could have made stale.
      if (this.hasSucceeded) this.needsRecovery = true;
    }
    this.options.onError(operation, error);
  }
}
