import type { Redis } from 'ioredis';
import { CacheL2Error } from './errors.js';

// While connecting for the first time a command is queued (and bounded by the caller's timeout); once the
// connection was lost, ioredis would queue commands until it reconnects, so they fail at once instead.
const LOST = new Set(['reconnecting', 'close', 'end']);

/** An error to fail with at once if the client lost its connection, else `undefined`. */
export function connectionLost(client: Redis, operation: string): CacheL2Error | undefined {
  return LOST.has(client.status)
    ? new CacheL2Error('PERFKIT_CACHE_L2_UNAVAILABLE', operation, `Redis connection is ${client.status}`)
    : undefined;
}
