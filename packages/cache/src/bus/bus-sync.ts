import type { Clock } from '@perfkit/primitives';
import type { CacheTelemetry } from '../cache-telemetry.js';
import { CacheL2Error, toError } from '../errors.js';
import { withTimeout } from '../with-timeout.js';
import type { BusMessage, CacheBus } from './cache-bus.js';

/** What a `BusSync` needs from its cache. */
export interface BusSyncOptions {
  namespace: string;
  /** This instance's id: messages it sent come back and are skipped. */
  origin: string;
  publishTimeoutMs: number;
  clock: Clock;
  telemetry: CacheTelemetry;
  /** Applies another instance's invalidation to this instance's L1 and loads in flight. */
  apply(kind: BusMessage['kind'], items: readonly string[]): void;
  /** Empties this instance's L1: a message was lost, so nothing in it can be trusted to predate it. */
  flush(): void;
  /** The bus is back after a disconnection: messages sent meanwhile are lost, and its server is up again. */
  reconnected(): void;
}

/**
 * Keeps one cache's L1 in step with the other instances' through a `CacheBus`: publishes this instance's
 * invalidations with a per-instance sequence number, applies the others', flushes L1 on a gap, and says
 * whether L1 may be trusted (not while the bus is disconnected). Without a bus, L1 is always trusted.
 *
 * @example
 * const sync = new BusSync(bus, { namespace, origin, publishTimeoutMs: 250, clock, telemetry, apply, flush, reconnected });
 * await sync.publish('tags', ['user:42']);
 */
export class BusSync {
  /** False while the bus is disconnected: invalidations may be missed, so L1 is not served alone. */
  trusted: boolean;
  private seq = 0;
  private readonly lastSeqByOrigin = new Map<string, number>();
  private readonly unsubscribe: (() => void) | undefined;

  constructor(
    private readonly bus: CacheBus | undefined,
    private readonly options: BusSyncOptions,
  ) {
    this.trusted = bus === undefined || bus.connected;
    this.unsubscribe = bus?.subscribe({
      message: (message) => this.receive(message),
      // Dropped without flushing: garbage on the channel must not be able to empty every instance's L1.
      malformed: (error) => options.telemetry.bus('rejected', error),
      connection: (connected) => this.connectionChanged(connected),
    });
  }

  get state(): 'none' | 'connected' | 'disconnected' {
    if (this.bus === undefined) return 'none';
    return this.trusted ? 'connected' : 'disconnected';
  }

  /** Tells the other instances; a failure is reported as an `l2-error`, never thrown. */
  async publish(kind: BusMessage['kind'], items: readonly string[]): Promise<void> {
    if (this.bus === undefined) return;
    const { namespace, origin, publishTimeoutMs, clock } = this.options;
    // The sequence number advances even if publishing fails, so receivers see the gap and flush.
    const message: BusMessage = { namespace, origin, seq: ++this.seq, kind, items };
    try {
      await withTimeout(
        this.bus.publish(message),
        publishTimeoutMs,
        clock,
        () =>
          new CacheL2Error('PERFKIT_CACHE_L2_TIMEOUT', 'publish', `no answer within ${publishTimeoutMs} ms`),
      );
    } catch (thrown) {
      this.options.telemetry.l2Failed('publish', toError(thrown));
    }
  }

  close(): void {
    this.unsubscribe?.();
  }

  private receive(message: BusMessage): void {
    const { namespace, origin } = this.options;
    if (message.namespace !== namespace || message.origin === origin) return;
    const last = this.lastSeqByOrigin.get(message.origin);
    this.lastSeqByOrigin.set(message.origin, message.seq);
    if (last !== undefined && message.seq !== last + 1) {
      this.options.telemetry.bus('gap');
      this.options.flush();
      return;
    }
    this.options.apply(message.kind, message.items);
  }

  private connectionChanged(connected: boolean): void {
    this.options.telemetry.bus(connected ? 'connected' : 'disconnected');
    if (!connected) {
      this.trusted = false;
      return;
    }
    this.options.reconnected();
    this.trusted = true;
  }
}
