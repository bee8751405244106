import type { Redis } from 'ioredis';
import { CacheL2Error } from './errors.js';

const LOST = new Set(['reconnecting', 'close', 'end']);

/**
 * Decides whether a command should fail at once instead of being queued by ioredis until it reconnects.
 * Before the client was first seen ready, a connecting client queues (the caller's timeout bounds the wait);
 * after that, anything but `ready` means the connection was lost.
 */
export class ConnectionCheck {
  private seenReady = false;

  constructor(private readonly client: Redis) {}

  /** An error to fail with at once, or `undefined` to send the command. */
  lost(operation: string): CacheL2Error | undefined {
    const status = this.client.status;
    if (status === 'ready') {
      this.seenReady = true;
      return undefined;
    }
    if (!this.seenReady && !LOST.has(status)) return undefined;
    return new CacheL2Error('PERFKIT_CACHE_L2_UNAVAILABLE', operation, `Redis connection is ${status}`);
  }
}
