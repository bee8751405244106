import type { CacheBusMessageError } from '../errors.js';

/**
 * An invalidation sent from one cache instance to the others.
 *
 * @example
 * const message: BusMessage = { namespace: 'perfkit', origin: id, seq: 7, kind: 'tags', items: ['user:42'] };
 */
export interface BusMessage {
  namespace: string;
  /** Id of the sending cache instance. */
  origin: string;
  /** Per-origin sequence number, 1, 2, 3…; a jump tells receivers they missed a message. */
  seq: number;
  kind: 'keys' | 'tags' | 'clear';
  items: readonly string[];
}

/**
 * What a bus delivers to a subscribed cache.
 *
 * @example
 * bus.subscribe({ message: (m) => apply(m), malformed: (e) => log(e), connection: (up) => (up ? resync() : distrustL1()) });
 */
export interface BusSubscriber {
  /** A valid message; the bus validates every one before delivering it. */
  message(message: BusMessage): void;
  /** Something that is not a valid message arrived on the channel and was dropped. */
  malformed(error: CacheBusMessageError): void;
  /** The bus lost (`false`) or regained (`true`) its subscription; messages in between are lost. */
  connection(connected: boolean): void;
}

/**
 * Carries invalidations between cache instances. Implementations must pass
 * `test/bus/cache-bus-contract.ts`.
 *
 * @example
 * const bus: CacheBus = createRedisBus(redis);
 * const cache = createCache({ l2: createRedisStore(redis), bus });
 */
export interface CacheBus {
  /** True while subscribed: messages published now will be delivered. */
  readonly connected: boolean;
  publish(message: BusMessage): Promise<void>;
  /** Returns the function that unsubscribes. */
  subscribe(subscriber: BusSubscriber): () => void;
  /** Stops delivering and releases the connections the bus opened itself. */
  close(): Promise<void>;
}
