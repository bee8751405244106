import { systemClock } from '@perfkit/primitives';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { L2Guard } from '../../src/l2/l2-guard.js';
import { createRedisStore } from '../../src/redis.js';
import { waitFor } from '../support/redis-helpers.js';

const TIMEOUT_MS = 5;
const clients: Redis[] = [];

/** A guard over a real store whose Redis never answers (nothing listens on port 1), counting the failures. */
function unreachableGuard() {
  const client = new Redis({ port: 1, enableOfflineQueue: false, retryStrategy: () => null });
  client.on('error', () => undefined);
  clients.push(client);
  const failures: string[] = [];
  const guard = new L2Guard(createRedisStore(client), {
    namespace: 'guard',
    timeoutMs: TIMEOUT_MS,
    connectTimeoutMs: TIMEOUT_MS,
    threshold: 1_000,
    cooldownMs: 1_000,
    clock: systemClock,
    waitClock: systemClock,
    onError: (operation) => failures.push(operation),
    onRecovered: () => failures.push('recovered'),
  });
  return { guard, failures };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 20 * TIMEOUT_MS));

afterEach(() => {
  for (const client of clients.splice(0)) client.disconnect();
});

describe('L2Guard.recoverSoon', () => {
  it('tries to clear an untrusted L2 ten times, then leaves it to the next call', async () => {
    const { guard, failures } = unreachableGuard();
    guard.markUntrusted();
    guard.recoverSoon();
    guard.recoverSoon(); // already trying: no second loop
    await waitFor(() => failures.length >= 10);
    await settle();
    expect(failures).toEqual(Array(10).fill('clear'));
    guard.close();
  });

  it('does nothing while L2 is trusted', async () => {
    const { guard, failures } = unreachableGuard();
    guard.recoverSoon();
    await settle();
    expect(failures).toEqual([]);
    guard.close();
  });

  it('stops trying once closed', async () => {
    const { guard, failures } = unreachableGuard();
    guard.markUntrusted();
    guard.recoverSoon();
    await waitFor(() => failures.length >= 1);
    guard.close();
    const atClose = failures.length;
    await settle();
    expect(failures.length).toBeLessThanOrEqual(atClose + 1);
    expect(failures.length).toBeLessThan(10);
  });
});
