import { withDefaults } from '@perfkit/primitives';
import pg from 'pg';
import { DEFAULT_DATABASE_URL, poolConfig } from '../db/connection.js';
import { timerMs } from '../timer-ms.js';

/** One change: a user's agent's calls, leads or the agent itself changed. */
export interface ChangeNotification {
  userId: number;
  agentId: number;
}

/** Told to `onReconnect`: the connection was lost, so notifications may have been missed. */
export interface ReconnectInfo {
  /** Always `true`: NOTIFY is not queued for a listener that is not connected. */
  mayHaveMissed: true;
  /** Connection attempts it took. */
  attempts: number;
  /** How long the listener was not listening, ms. */
  downMs: number;
}

/** Options of {@link listenForChanges}. */
export interface ListenForChangesOptions {
  /** PostgreSQL URL. Default: `DATABASE_URL`, else the package default. */
  connectionString?: string;
  /** Schema whose changes to hear. Default: the connection's `current_schema()`. */
  schema?: string;
  /** Called once per notification (duplicates are possible and harmless). */
  onChange: (change: ChangeNotification) => void;
  /** Called after a lost connection is listening again: flush what the notifications guarded. Default: none. */
  onReconnect?: (info: ReconnectInfo) => void;
  /** Called with connection errors and unreadable payloads; the listener keeps going. Default: none. */
  onError?: (error: unknown) => void;
  /** First reconnect delay, ms; doubled per failed attempt, with jitter. Default: 100. */
  initialDelayMs?: number;
  /** Largest reconnect delay, ms. Default: 10,000. */
  maxDelayMs?: number;
  /** Interval of a `SELECT 1` that detects a silently dead connection, ms; 0 disables. Default: 30,000. */
  healthCheckMs?: number;
  /**
   * How long the `SELECT 1` (and connecting, and `LISTEN`) may go unanswered
   * before the connection counts as lost, ms: a half-open connection never
   * answers. Default: 5,000.
   */
  healthCheckTimeoutMs?: number;
}

/** A running listener. */
export interface ChangeListener {
  /** The channel listened to (`perfkit_changes_<schema>`). */
  readonly channel: string;
  /** Whether the LISTEN connection is up right now. */
  readonly connected: boolean;
  /** Stops listening and closes the connection. */
  close(): Promise<void>;
}

/** Default {@link ListenForChangesOptions}, resolved in one place. */
export const LISTEN_DEFAULTS = {
  initialDelayMs: 100,
  maxDelayMs: 10_000,
  healthCheckMs: 30_000,
  healthCheckTimeoutMs: 5_000,
} as const;

// Idle time before the kernel's first keep-alive probe. Probes catch a peer
// that vanished between health checks (or with them disabled); the health
// check's timeout is what bounds detection.
const KEEPALIVE_INITIAL_DELAY_MS = 10_000;

function parsePayload(payload: string | undefined): ChangeNotification {
  const parsed = JSON.parse(payload ?? '') as { userId?: unknown; agentId?: unknown };
  if (!Number.isSafeInteger(parsed.userId) || !Number.isSafeInteger(parsed.agentId)) {
    throw new Error(`unexpected change payload: ${String(payload)}`);
  }
  return { userId: parsed.userId as number, agentId: parsed.agentId as number };
}

/**
 * Listens for the change notifications that triggers on calls, leads and
 * agents send (one per transaction and `(user, agent)`), on a dedicated
 * connection. When the connection drops it reconnects with exponential
 * backoff and jitter, then calls `onReconnect`, since notifications sent
 * meanwhile are lost: the app flushes its in-memory cache there. Resolves
 * once listening; rejects if the first connection fails.
 *
 * @example
 * const listener = await listenForChanges({
 *   connectionString: process.env.DATABASE_URL,
 *   onChange: ({ userId, agentId }) => cache.deleteByTag(`user:${userId}`, `agent:${agentId}`),
 *   onReconnect: () => cache.clear(),
 * });
 * process.on('SIGTERM', () => listener.close());
 */
export async function listenForChanges(options: ListenForChangesOptions): Promise<ChangeListener> {
  const opts = withDefaults(LISTEN_DEFAULTS, options);
  for (const key of ['initialDelayMs', 'maxDelayMs', 'healthCheckMs'] as const) timerMs(key, opts[key]);
  timerMs('healthCheckTimeoutMs', opts.healthCheckTimeoutMs, { positive: true });
  const connectionString = opts.connectionString ?? process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL;
  let client: pg.Client | undefined;
  let channel = '';
  let closed = false;
  let connected = false;
  let retryTimer: NodeJS.Timeout | undefined;
  let healthTimer: NodeJS.Timeout | undefined;
  // A reconnect coming up: close() ends it too, or its socket outlived close() by up to healthCheckTimeoutMs.
  let connecting: pg.Client | undefined;

  const connect = async (): Promise<void> => {
    const next = new pg.Client({
      ...poolConfig({ connectionString, applicationName: 'perfkit-listener' }),
      keepAlive: true,
      keepAliveInitialDelayMillis: KEEPALIVE_INITIAL_DELAY_MS,
      connectionTimeoutMillis: opts.healthCheckTimeoutMs,
      // Only the listener's own statements run here; a read that times out means a dead peer.
      query_timeout: opts.healthCheckTimeoutMs,
    });
    next.on('error', (error) => lost(next, error));
    next.on('end', () => lost(next, new Error('listener connection ended')));
    next.on('notification', (message) => {
      if (message.channel !== channel) return;
      try {
        opts.onChange(parsePayload(message.payload));
      } catch (error) {
        opts.onError?.(error);
      }
    });
    connecting = next;
    try {
      await next.connect();
      const { rows } = await next.query<{ channel: string }>(
        `SELECT left('perfkit_changes_' || coalesce($1, current_schema()), 63) AS channel`,
        [opts.schema ?? null],
      );
      channel = rows[0]?.channel ?? '';
      await next.query(`LISTEN "${channel.replaceAll('"', '""')}"`);
      // Closed while this connection came up: it is ended here, and no health check starts for it.
      if (closed) throw new Error('listener closed');
    } catch (error) {
      next.removeAllListeners('end');
      await next.end().catch(() => {});
      throw error;
    } finally {
      connecting = undefined;
    }
    client = next;
    connected = true;
    if (opts.healthCheckMs > 0) {
      clearInterval(healthTimer);
      healthTimer = setInterval(() => {
        next.query('SELECT 1').catch((error) => lost(next, error));
      }, opts.healthCheckMs);
      healthTimer.unref();
    }
  };

  let downSince = 0;
  let attempts = 0;
  const lost = (which: pg.Client, error: unknown) => {
    // Only the current connection's loss counts; a late event from an old one is ignored.
    if (closed || which !== client || !connected) return;
    connected = false;
    clearInterval(healthTimer);
    which.removeAllListeners('end');
    which.end().catch(() => {});
    opts.onError?.(error);
    downSince = Date.now();
    attempts = 0;
    schedule();
  };

  const schedule = () => {
    const ceiling = Math.min(opts.maxDelayMs, opts.initialDelayMs * 2 ** attempts);
    // Jitter spreads the reconnects of many instances after a database restart.
    const delay = ceiling / 2 + Math.random() * (ceiling / 2);
    retryTimer = setTimeout(async () => {
      attempts++;
      try {
        await connect();
        opts.onReconnect?.({ mayHaveMissed: true, attempts, downMs: Date.now() - downSince });
      } catch (error) {
        if (closed) return;
        opts.onError?.(error);
        schedule();
      }
    }, delay);
  };

  await connect();
  return {
    get channel() {
      return channel;
    },
    get connected() {
      return connected;
    },
    async close() {
      closed = true;
      connected = false;
      clearTimeout(retryTimer);
      clearInterval(healthTimer);
      if (client) {
        client.removeAllListeners('end');
        await client.end().catch(() => {});
      }
      await connecting?.end().catch(() => {});
    },
  };
}
