import type { Clock } from '@perfkit/primitives';

// The reasons a sleep is cancelled with: never seen by a caller, and allocated once.
const CLOSED = Object.freeze({ closed: true });
const REPLACED = Object.freeze({ replaced: true });

/** One watched deadline; `remove` it when its operation settles. */
export interface Deadline {
  readonly at: number;
  readonly onExpire: () => void;
}

/**
 * Deadlines of many short operations, watched through one `clock.sleep` at a time (an earlier deadline
 * cancels it and sleeps until itself). A timer per operation is what an L2 read would otherwise pay for,
 * and cancelling a clock's sleep takes an `AbortController`, which costs more than the Redis round trip it
 * guards. The price: while operations keep coming, the watch wakes about once per time limit, and after
 * the last one it sleeps out at most one time limit, unless `close()` ends it.
 *
 * @example
 * const deadline = watch.add(250, () => reject(new Error('timed out')));
 * operation.then((value) => watch.remove(deadline) && resolve(value));
 */
export class DeadlineWatch {
  private readonly pending = new Set<Deadline>();
  private wakeAt = Number.POSITIVE_INFINITY;
  // Cancels the one sleep running: a newer one replaces it, and a closed watch keeps no timer (and no
  // process) alive.
  private sleeping: AbortController | undefined;

  constructor(private readonly clock: Clock) {}

  /** Calls `onExpire` once `ms` have passed on the clock, unless the deadline was removed first. */
  add(ms: number, onExpire: () => void): Deadline {
    const deadline = { at: this.clock.now() + ms, onExpire };
    this.pending.add(deadline);
    if (deadline.at < this.wakeAt) this.sleepUntil(deadline.at);
    return deadline;
  }

  /** Stops watching; `false` if the deadline had already expired. */
  remove(deadline: Deadline): boolean {
    return this.pending.delete(deadline);
  }

  /** Expires every deadline now and cancels the sleep: nothing is left waiting on the clock. */
  close(): void {
    this.sleeping?.abort(CLOSED);
    this.sleeping = undefined;
    this.wakeAt = Number.POSITIVE_INFINITY;
    const expiring = [...this.pending];
    this.pending.clear();
    for (const deadline of expiring) deadline.onExpire();
  }

  private sleepUntil(at: number): void {
    this.wakeAt = at;
    this.sleeping?.abort(REPLACED);
    const sleeping = new AbortController();
    this.sleeping = sleeping;
    const wake = () => {
      if (!sleeping.signal.aborted) this.expireDue();
    };
    // At least 1 ms: a clock whose `now` lags its `sleep` must not spin.
    this.clock.sleep(Math.max(1, at - this.clock.now()), sleeping.signal).then(wake, wake);
  }

  private expireDue(): void {
    const now = this.clock.now();
    let next = Number.POSITIVE_INFINITY;
    for (const deadline of this.pending) {
      if (deadline.at <= now) {
        this.pending.delete(deadline);
        deadline.onExpire();
      } else if (deadline.at < next) next = deadline.at;
    }
    this.wakeAt = Number.POSITIVE_INFINITY;
    if (next !== Number.POSITIVE_INFINITY) this.sleepUntil(next);
  }
}
