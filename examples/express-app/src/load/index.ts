export { ensureDatabase, migrateAndSeed, withDatabase } from '../database-setup.js';
export type { AppProcess } from './app-process.js';
export { startAppProcess, startNaiveApp } from './app-process.js';
export type { LoadOptions, LoadResult, LoadTarget } from './baseline-load.js';
export { LOAD_DEFAULTS, runLoad } from './baseline-load.js';
export { formatMarkdown, formatTable } from './baseline-table.js';
export { baselineTargets } from './baseline-targets.js';
