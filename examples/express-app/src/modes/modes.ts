import type { DataSource } from './data-source.js';
import { naiveMode } from './naive-mode.js';
import { optimizedMode } from './optimized-mode.js';

/** The app's modes by `MODE` value. */
export const MODES = { naive: naiveMode, optimized: optimizedMode } satisfies Record<string, DataSource>;

/** A `MODE` value. */
export type Mode = keyof typeof MODES;
