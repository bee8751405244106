import type { Redis } from 'ioredis';
import { CacheBusMessageError, CacheOptionsError } from '../errors.js';
import { ConnectionCheck } from '../redis-connection.js';
import { decodeBusMessage } from './bus-message.js';
import type { BusMessage, BusSubscriber, CacheBus } from './cache-bus.js';

/**
 * Options of `createRedisBus`.
 *
 * @example
 * createRedisBus(redis, { channel: 'myapp:cache:bus' });
 */
export interface RedisBusOptions {
  /** Pub/sub channel shared by all instances. Default `'perfkit:cache:bus'`. */
  channel?: string;
  /** Connection to subscribe on; default a `duplicate()` of the client, which the bus owns and closes. */
  subscriber?: Redis;
}

const REDIS_BUS_DEFAULTS = { channel: 'perfkit:cache:bus' } as const;

class RedisBus implements CacheBus {
  connected = false;
  private readonly subscribers = new Set<BusSubscriber>();
  private closed = false;
  private readonly publisherConnection: ConnectionCheck;

  constructor(
    private readonly publisher: Redis,
    private readonly connection: Redis,
    private readonly ownsConnection: boolean,
    private readonly channel: string,
  ) {
    this.publisherConnection = new ConnectionCheck(publisher);
    connection.on('message', (channel: string, raw: string) => {
      if (channel === this.channel) this.deliver(raw);
    });
    connection.on('ready', () => this.subscribeChannel());
    connection.on('close', () => this.setConnected(false));
    // Without a listener an 'error' event would crash the process; the state change is what matters.
    connection.on('error', () => undefined);
    if (connection.status === 'ready') this.subscribeChannel();
    // A client made with `lazyConnect` (and so its duplicate) waits for a first command: without this one
    // the bus never subscribed, and the cache never trusted its memory.
    else if (connection.status === 'wait') connection.connect().catch(() => undefined);
  }

  publish(message: BusMessage): Promise<void> {
    const lost = this.publisherConnection.lost('publish');
    if (lost) return Promise.reject(lost);
    return this.publisher.publish(this.channel, JSON.stringify(message)).then(() => undefined);
  }

  subscribe(subscriber: BusSubscriber): () => void {
    this.subscribers.add(subscriber);
    return () => this.subscribers.delete(subscriber);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.subscribers.clear();
    if (this.ownsConnection) this.connection.disconnect();
    else await this.connection.unsubscribe(this.channel).catch(() => undefined);
  }

  private subscribeChannel(): void {
    this.connection.subscribe(this.channel).then(
      () => this.setConnected(true),
      () => this.setConnected(false),
    );
  }

  private setConnected(connected: boolean): void {
    if (this.connected === connected || this.closed) return;
    this.connected = connected;
    for (const subscriber of this.subscribers) subscriber.connection(connected);
  }

  // Runs inside ioredis's message handler, where a throw would crash the process: a message is decoded and
  // checked in full before any subscriber sees it.
  private deliver(raw: string): void {
    const decoded = decodeBusMessage(raw);
    if (decoded instanceof CacheBusMessageError) {
      for (const subscriber of this.subscribers) subscriber.malformed(decoded);
      return;
    }
    for (const subscriber of this.subscribers) subscriber.message(decoded);
  }
}

/**
 * A `CacheBus` on Redis pub/sub. Publishes on `client`; subscribes on a duplicate connection.
 *
 * @example
 * import { createRedisBus, createRedisStore } from '@perfkit/cache/redis';
 * const cache = createCache({ namespace: 'perfkit', l2: createRedisStore(redis), bus: createRedisBus(redis) });
 */
export function createRedisBus(client: Redis, options: RedisBusOptions = {}): CacheBus {
  const channel = options.channel ?? REDIS_BUS_DEFAULTS.channel;
  if (typeof channel !== 'string' || channel === '') {
    throw new CacheOptionsError('channel', 'must be a non-empty string');
  }
  const connection = options.subscriber ?? client.duplicate();
  return new RedisBus(client, connection, options.subscriber === undefined, channel);
}
