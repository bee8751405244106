import type { Clock } from '@perfkit/primitives';
import type { StoreReadResult } from '../store/cache-store.js';
import type { L2Guard } from './l2-guard.js';

/** Who asks for a lease, for how long, and how long to wait for another holder's value. */
export interface LeaseWaitOptions {
  namespace: string;
  /** This instance's lease token. */
  token: string;
  ttlMs: number;
  waitMs: number;
  pollMs: number;
  /** Times the polls and the wait. */
  clock: Clock;
}

/**
 * Reads a key from L2 before loading it, taking the key's load lease when nothing is stored (or, for a
 * stale-while-revalidate `refresh`, also over a stored value, so that one instance of the cluster refreshes). While another
 * instance holds the lease, polls L2 (every `pollMs` on the clock) until its value appears, the lease frees
 * up and is taken (or is taken over: an invalidation of the key or of one of `tags` since the holder took
 * it voids the holder's value), L2 fails, or `waitMs` has passed. `undefined` when L2 is out.
 *
 * @example
 * const read = await readWithLease(guard, 'overview:user:42', ['user:42'], { namespace, token, ttlMs: 10_000, waitMs: 10_000, pollMs: 20, clock });
 * if (read?.payload === undefined) load(); // with read.leased, this instance holds the lease
 */
export async function readWithLease(
  guard: L2Guard,
  key: string,
  tags: readonly string[],
  options: LeaseWaitOptions,
  refresh = false,
): Promise<StoreReadResult | undefined> {
  const first = await readTakingLease(guard, key, tags, options, { polling: false, refresh });
  if (first === undefined || first.payload !== undefined || first.leased) return first;
  const { clock } = options;
  const deadline = clock.now() + options.waitMs;
  while (clock.now() < deadline) {
    await clock.sleep(options.pollMs);
    const next = await readTakingLease(guard, key, tags, options, { polling: true, refresh });
    if (next === undefined || next.payload !== undefined || next.leased) return next;
  }
  // The holder is slow or gone: load without the lease, keeping the first fence for the write.
  return first;
}

function readTakingLease(
  guard: L2Guard,
  key: string,
  tags: readonly string[],
  options: LeaseWaitOptions,
  how: { polling: boolean; refresh: boolean },
) {
  return guard.run('read', (store) =>
    store.read(options.namespace, key, { token: options.token, ttlMs: options.ttlMs, tags, ...how }),
  );
}
