import type { ServerResponse } from 'node:http';
import type { NowClock } from '@perfkit/primitives';

/**
 * When each response was ended: node emits `prefinish` inside `res.end()`,
 * once the last bytes are handed to the socket. Node's `finish`, and the
 * channel that reports it, comes a tick later, after every promise
 * continuation queued by then: in a busy process, other requests' work,
 * which no client waits for. Timed to `finish`, the naive app's p99 read
 * above the load generator's (the app benchmark's NOTES).
 *
 * @example
 * ```ts
 * const ends = new ResponseEnds(clock);
 * ends.listen(res); // before the handler runs
 * const endedAt = ends.take(res) ?? clock.now(); // once the response finished
 * ```
 */
export class ResponseEnds {
  // Weak: a response of a known server that bypasses the middleware is listened to but never taken.
  private readonly ends = new WeakMap<ServerResponse, number>();
  // One function for every response (`this` is the response), so listening allocates nothing.
  private readonly stamp: (this: ServerResponse) => void;

  constructor(clock: NowClock) {
    const ends = this.ends;
    this.stamp = function (this: ServerResponse) {
      ends.set(this, clock.now());
    };
  }

  /** Notes when `res` is ended. */
  listen(res: ServerResponse): void {
    res.on('prefinish', this.stamp);
  }

  /** When `res` was ended, if it was, forgetting it. */
  take(res: ServerResponse): number | undefined {
    const endedAt = this.ends.get(res);
    if (endedAt !== undefined) this.ends.delete(res);
    return endedAt;
  }
}
