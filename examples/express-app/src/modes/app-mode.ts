import type { Monitor, RequestTimer } from '@perfkit/monitor';
import type { AgentSortKey, Database } from '@perfkit/queries';
import type { Kysely } from 'kysely';
import type pg from 'pg';
import type { Logger } from 'pino';
import type { AppConfig } from '../config.js';
import type { AnalyticsQuery, OverviewQuery } from '../contract/query-params.js';
import type { ReadRouter } from '../db/read-router.js';
import type { Reply } from '../http/reply.js';

/** Where ElevenLabs is and how to authenticate to it. */
export interface ElevenLabsSettings {
  /** Base URL without a trailing slash, e.g. `https://api.elevenlabs.io`. */
  baseUrl: string;
  /** Sent as `xi-api-key`. */
  apiKey: string;
}

/** What the server hands a mode to build itself from; the server owns and closes these. */
export interface ModeResources {
  config: AppConfig;
  /** The primary database: writes, auth, and reads unless a replica is configured. */
  db: Kysely<Database>;
  pool: pg.Pool;
  /** A read replica (`DATABASE_READ_URL`), if any. */
  replica?: { db: Kysely<Database>; pool: pg.Pool };
  elevenLabs: ElevenLabsSettings;
  logger: Logger;
  monitor: Monitor;
  /** The app's "now"; fixed in tests and the demo, the wall clock otherwise. */
  now: () => Date;
}

/** Parameters of the agents list once the cursor is decoded. */
export interface AgentsPageParams {
  limit: number;
  after?: AgentSortKey;
}

/** Whose read it is, at which "now", and where its request's `Server-Timing` sections go. */
export interface ReadScope {
  userId: number;
  /** The app's "now" for this request. */
  now: Date;
  /** Times the read's sections (`db`, `cache`, `elevenlabs`) for the request's `Server-Timing`. */
  timer: RequestTimer;
}

/**
 * A mode's answers to the read endpoints, each rendered for one user at `now`
 * ({@link Reply}: the JSON, its ETag and how the cache served it).
 */
export interface DataSource {
  /** For the reads: the user an API key belongs to, or `undefined` for an unknown key (writes ask the database). */
  userIdForKey(apiKey: string): Promise<number | undefined>;
  overview(scope: ReadScope, params: OverviewQuery): Promise<Reply>;
  analytics(scope: ReadScope, params: AnalyticsQuery): Promise<Reply>;
  agentsList(scope: ReadScope, params: AgentsPageParams): Promise<Reply>;
  /** `null` when the user has no such agent (another user's agent included). */
  agent(scope: ReadScope, params: { agentId: number }): Promise<Reply | null>;
}

/** What a write changed: the user, and the agents whose calls or leads it touched. */
export interface DataChange {
  userId: number;
  agentIds: readonly number[];
}

/**
 * One mode of the app (`naive`, `optimized`), created from the server's
 * resources by its {@link ModeFactory}: its data source, what it does after a
 * write, and its own teardown.
 *
 * @example
 * const mode = await MODES.optimized(resources);
 * await mode.onWrite({ userId: 7, agentIds: [42] }); // before the write answers
 * await mode.close();
 */
export interface AppMode {
  source: DataSource;
  /** Called by every write handler after its commit and awaited before it answers. */
  onWrite(change: DataChange): Promise<void>;
  /** Where the mode's database reads went (primary or replica), when it routes them; for tests and benchmarks. */
  readonly readsServed?: ReadRouter['served'];
  /** Whether the mode can serve (e.g. its listeners are up); `/health` reports it. */
  health(): Record<string, string>;
  /** Stops what the mode started, in the reverse order of starting it. */
  close(): Promise<void>;
}

/** Builds a mode; it may start background work (listeners, timers) that `close()` stops. */
export type ModeFactory = (resources: ModeResources) => Promise<AppMode>;
