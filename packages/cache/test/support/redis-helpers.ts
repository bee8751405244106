import type { ManualClock } from '@perfkit/primitives/testing';
import { Redis } from 'ioredis';
import { type Cache, type CacheOptions, createCache } from '../../src/index.js';
import { createRedisBus, createRedisStore } from '../../src/redis.js';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/**
 * Advances `clock` by `stepMs` each time a sleep of `stepMs` is pending (a lease waiter polling) until
 * `settles` has settled; returns how far the clock moved. Waits on promises only, never on real time.
 */
export async function advanceUntilSettled(
  clock: ManualClock,
  settles: Promise<unknown>,
  stepMs: number,
): Promise<number> {
  let settled = false;
  const done = settles.then(
    () => {
      settled = true;
    },
    () => {
      settled = true;
    },
  );
  let advanced = 0;
  for (;;) {
    await Promise.race([done, clock.sleeping(stepMs)]);
    if (settled) return advanced;
    clock.advance(stepMs);
    advanced += stepMs;
  }
}

/** A promise with its resolve and reject, for gating a loader from the test. */
export function deferred<T = void>() {
  let resolve: (value: T) => void = () => undefined;
  let reject: (error: Error) => void = () => undefined;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/**
 * A loader that records its calls and holds each one until the test releases it: `started` resolves when
 * the first call is running, so an invalidation or another instance can act while it certainly still runs.
 */
export function gatedLoader<T>(value: () => T) {
  const started = deferred();
  const gate = deferred<void>();
  let calls = 0;
  const loader = async () => {
    calls += 1;
    const seen = value();
    started.resolve();
    await gate.promise;
    return seen;
  };
  return {
    loader,
    started: started.promise,
    calls: () => calls,
    release: () => gate.resolve(),
    fail: (error: Error) => gate.reject(error),
  };
}

/** A Redis client that fails fast instead of retrying forever, for tests. */
export function connectRedis(url = REDIS_URL): Redis {
  const client = new Redis(url, {
    maxRetriesPerRequest: 1,
    retryStrategy: (attempt) => Math.min(attempt * 20, 200),
  });
  client.on('error', () => undefined);
  return client;
}

/** A connected client (status `ready`). */
export async function openRedis(url = REDIS_URL): Promise<Redis> {
  const client = connectRedis(url);
  await waitFor(() => client.status === 'ready');
  return client;
}

/** Removes every key under a prefix. */
export async function deleteKeys(client: Redis, prefix: string): Promise<void> {
  const keys = await client.keys(`${prefix}*`);
  if (keys.length > 0) await client.del(...keys);
}

/** One app instance: its own Redis connection, store, bus and cache, as in production. */
export interface Instance {
  cache: Cache;
  client: Redis;
  subscriber: Redis;
  close(): Promise<void>;
}

/**
 * Builds an instance whose keys and bus channel live under `prefix`; `url` may give the bus's subscriber
 * its own route to the same server (`{ store, bus }`), e.g. through a proxy a test controls.
 */
export async function createInstance(
  prefix: string,
  options: CacheOptions = {},
  url: string | { store: string; bus: string } = REDIS_URL,
  faults?: { down: () => boolean; store: string[]; bus: string[] },
): Promise<Instance> {
  const { store: storeUrl, bus: busUrl } = typeof url === 'string' ? { store: url, bus: url } : url;
  const client = await openRedis(storeUrl);
  const subscriber = await openRedis(busUrl);
  const bus = createRedisBus(client, { channel: `${prefix}bus`, subscriber });
  const store = createRedisStore(client, { prefix });
  const cache = createCache({
    l2: faults ? failing(store, faults.store, faults.down) : store,
    bus: faults ? failing(bus, faults.bus, faults.down) : bus,
    ...options,
  });
  await waitFor(() => bus.connected);
  return {
    cache,
    client,
    subscriber,
    async close() {
      cache.close();
      await bus.close();
      client.disconnect();
      subscriber.disconnect();
    },
  };
}

/**
 * `target` whose `methods` reject while `down()`: a connection lost for this instance alone, injected at the
 * store's and the bus's interface while Redis itself stays up for the others.
 */
function failing<T extends object>(target: T, methods: string[], down: () => boolean): T {
  return new Proxy(target, {
    get(object, property) {
      const value = Reflect.get(object, property, object);
      if (typeof value !== 'function') return value;
      if (down() && methods.includes(String(property)))
        return () => Promise.reject(new Error('connection lost'));
      return value.bind(object);
    },
  });
}

/** Polls a condition (real time) for events that arrive over the network. */
export async function waitFor(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
