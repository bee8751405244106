import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { CacheOptionsError } from '../errors.js';
import { ConnectionCheck } from '../redis-connection.js';
import type { CacheStore, LeaseRequest, StoreReadResult, StoreWriteOptions } from './cache-store.js';
import {
  CLEAR_SCRIPT,
  DELETE_SCRIPT,
  INVALIDATE_SCRIPT,
  READ_SCRIPT,
  RELEASE_SCRIPT,
  WRITE_SCRIPT,
} from './redis-scripts.js';

/**
 * Options of `createRedisStore`.
 *
 * @example
 * createRedisStore(redis, { prefix: 'myapp:cache:' });
 */
export interface RedisStoreOptions {
  /** Prefix of every key the store writes. Default `'perfkit:cache:'`. */
  prefix?: string;
}

const REDIS_STORE_DEFAULTS = { prefix: 'perfkit:cache:' } as const;

class LuaScript {
  private readonly sha: string;

  constructor(private readonly source: string) {
    this.sha = createHash('sha1').update(source).digest('hex');
  }

  run(client: Redis, args: (string | number)[]): Promise<unknown> {
    return client.evalsha(this.sha, 0, ...args).catch((error: unknown) => {
      // Redis forgets scripts on restart or SCRIPT FLUSH; EVAL reloads it.
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      return client.eval(this.source, 0, ...args);
    });
  }
}

const scripts = {
  read: new LuaScript(READ_SCRIPT),
  write: new LuaScript(WRITE_SCRIPT),
  release: new LuaScript(RELEASE_SCRIPT),
  delete: new LuaScript(DELETE_SCRIPT),
  invalidate: new LuaScript(INVALIDATE_SCRIPT),
  clear: new LuaScript(CLEAR_SCRIPT),
};

class RedisStore implements CacheStore {
  private readonly connection: ConnectionCheck;
  private readonly generations = new Map<string, string>();

  constructor(
    private readonly client: Redis,
    private readonly prefix: string,
  ) {
    this.connection = new ConnectionCheck(client);
  }

  // The common case, a stored entry, takes one MGET of the generation, the write sequence and the entry under
  // the generation last seen: one atomic snapshot, as the script's, at a tenth of its cost in Redis. The
  // script runs when the generation moved (the key named was the wrong one) or a lease must be taken, and
  // at once for a lease waiter's poll, which mostly finds nothing: one round trip instead of two.
  read(namespace: string, key: string, lease?: LeaseRequest): Promise<StoreReadResult> {
    if (lease?.polling || lease?.refresh) return this.readByScript(namespace, key, lease);
    const lost = this.connection.lost('read');
    if (lost) return Promise.reject(lost);
    const base = `${this.prefix}${namespace}:`;
    const generation = this.generations.get(namespace) ?? '0';
    return this.client.mget(`${base}gen`, `${base}seq`, `${base}${generation}:e:${key}`).then((found) => {
      const current = found[0] ?? '0';
      if (current !== generation) {
        this.generations.set(namespace, current);
        return this.readByScript(namespace, key, lease);
      }
      const payload = payloadOf(found[2] ?? null);
      if (payload === undefined && lease !== undefined) return this.readByScript(namespace, key, lease);
      return { payload, fence: Number(found[1] ?? 0), leased: false };
    });
  }

  async write(namespace: string, key: string, payload: string, options: StoreWriteOptions): Promise<boolean> {
    const written = await this.run('write', scripts.write, namespace, [
      key,
      payload,
      redisMs(options.ttlMs),
      options.fence ?? '',
      options.leaseToken ?? '',
      ...options.tags,
    ]);
    return written === 1;
  }

  async releaseLease(namespace: string, key: string, token: string): Promise<void> {
    await this.run('release', scripts.release, namespace, [key, token]);
  }

  async delete(namespace: string, keys: readonly string[], fenceWindowMs: number): Promise<void> {
    await this.run('delete', scripts.delete, namespace, [redisMs(fenceWindowMs), ...keys]);
  }

  async invalidateTags(namespace: string, tags: readonly string[], fenceWindowMs: number): Promise<void> {
    await this.run('invalidateTags', scripts.invalidate, namespace, [redisMs(fenceWindowMs), ...tags]);
  }

  async clear(namespace: string): Promise<void> {
    await this.run('clear', scripts.clear, namespace, []);
  }

  private async readByScript(
    namespace: string,
    key: string,
    lease: LeaseRequest | undefined,
  ): Promise<StoreReadResult> {
    const [payload, fence, leased] = (await this.run('read', scripts.read, namespace, [
      key,
      lease?.token ?? '',
      lease === undefined ? 0 : redisMs(lease.ttlMs),
      lease?.refresh ? '1' : '',
      ...(lease?.tags ?? []),
    ])) as [string, number, number];
    return { payload: payload === '' ? undefined : payload, fence, leased: leased === 1 };
  }

  private run(
    operation: string,
    script: LuaScript,
    namespace: string,
    args: (string | number)[],
  ): Promise<unknown> {
    const lost = this.connection.lost(operation);
    if (lost) return Promise.reject(lost);
    return script.run(this.client, [`${this.prefix}${namespace}:`, ...args]);
  }
}

/** The payload of a stored `<seq>|<payload>`; `undefined` for nothing or a tombstone (`<seq>|`). */
function payloadOf(stored: string | null): string | undefined {
  if (stored === null) return undefined;
  const separator = stored.indexOf('|');
  return separator < stored.length - 1 ? stored.slice(separator + 1) : undefined;
}

/**
 * A `CacheStore` on Redis (standalone, 6.2+): atomic tag invalidation, fenced writes and load leases in Lua.
 * The client stays yours: the store never connects or quits it.
 *
 * @example
 * import { Redis } from 'ioredis';
 * import { createRedisStore } from '@perfkit/cache/redis';
 * const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
 * redis.on('error', (error) => console.warn('redis:', error.message));
 * const cache = createCache({ l2: createRedisStore(redis) });
 */
export function createRedisStore(client: Redis, options: RedisStoreOptions = {}): CacheStore {
  const prefix = options.prefix ?? REDIS_STORE_DEFAULTS.prefix;
  if (typeof prefix !== 'string') throw new CacheOptionsError('prefix', 'must be a string');
  return new RedisStore(client, prefix);
}

/** A duration as Redis takes it in PX: whole milliseconds, at least 1 (`'2.01s'` is 2009.9999999999998 ms). */
function redisMs(ms: number): number {
  return Math.max(1, Math.ceil(ms));
}
