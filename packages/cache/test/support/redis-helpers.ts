import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { Redis } from 'ioredis';
import { type Cache, type CacheOptions, createCache } from '../../src/index.js';
import { createRedisBus, createRedisStore } from '../../src/redis.js';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A manual clock: tests move time with `advance` instead of sleeping. */
export function manualClock(start = 1_700_000_000_000) {
  let now = start;
  return {
    now: () => now,
    advance(ms: number) {
      now += ms;
    },
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

/** Builds an instance whose keys and bus channel live under `prefix`. */
export async function createInstance(
  prefix: string,
  options: CacheOptions = {},
  url = REDIS_URL,
): Promise<Instance> {
  const client = await openRedis(url);
  const subscriber = await openRedis(url);
  const bus = createRedisBus(client, { channel: `${prefix}bus`, subscriber });
  const cache = createCache({ l2: createRedisStore(client, { prefix }), bus, ...options });
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

/** Polls a condition (real time) for events that arrive over the network. */
export async function waitFor(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

/** A private redis-server on a free port, to freeze, thaw or kill mid-test. */
export interface PrivateRedis {
  url: string;
  /** SIGSTOP: connections stay open but nothing answers, like a stalled server. */
  freeze(): void;
  thaw(): void;
  stop(): Promise<void>;
}

export async function startPrivateRedis(): Promise<PrivateRedis> {
  const port = await freePort();
  const child = spawn('redis-server', ['--port', String(port), '--save', '', '--appendonly', 'no'], {
    stdio: 'ignore',
  });
  const url = `redis://127.0.0.1:${port}`;
  const probe = connectRedis(url);
  await waitFor(() => probe.status === 'ready');
  probe.disconnect();
  return {
    url,
    freeze: () => child.kill('SIGSTOP'),
    thaw: () => child.kill('SIGCONT'),
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGKILL');
        child.kill('SIGCONT');
      }),
  };
}
