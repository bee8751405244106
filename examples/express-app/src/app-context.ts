import type { DataDeps, DataSource } from './modes/data-source.js';
import type { Mode } from './modes/modes.js';

/** What the routes share: data dependencies, the mode's data source and the clock. */
export interface AppContext {
  deps: DataDeps;
  mode: Mode;
  source: DataSource;
  /** The app's "now"; fixed in tests and the demo, the wall clock otherwise. */
  now: () => Date;
}
