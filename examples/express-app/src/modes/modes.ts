import type { Mode } from '../config.js';
import type { ModeFactory } from './app-mode.js';
import { createNaiveMode } from './naive-mode.js';
import { type OptimizedModeOptions, optimizedModeFactory } from './optimized-mode.js';

/**
 * The factory of a `MODE`.
 *
 * @example
 * const mode = await modeFactory('optimized')(resources);
 */
export function modeFactory(mode: Mode, optimized: OptimizedModeOptions = {}): ModeFactory {
  return mode === 'naive' ? createNaiveMode : optimizedModeFactory(optimized);
}
