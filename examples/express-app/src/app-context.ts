import type { Monitor } from '@perfkit/monitor';
import type { Database } from '@perfkit/queries';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Mode } from './config.js';
import type { LoadShedder } from './http/load-shedding.js';
import type { AppMode } from './modes/app-mode.js';

/** What the routes share. */
export interface AppContext {
  /** `MODE`'s name, for `/health`. */
  modeName: Mode;
  mode: AppMode;
  monitor: Monitor;
  logger: Logger;
  /** Refuses `/api` requests while the event loop is overloaded. */
  shedder: LoadShedder;
  /** The primary database: writes go here. */
  db: Kysely<Database>;
  /** `METRICS_TOKEN`; without one `/metrics` is not served. */
  metricsToken: string | undefined;
  /** The app's "now"; fixed in tests and the demo, the wall clock otherwise. */
  now: () => Date;
}
