export { ensureDatabase, migrateAndSeed, withDatabase } from '../database-setup.js';
export type { AppProcess } from './app-process.js';
export { startAppProcess, startNaiveApp } from './app-process.js';
export type { ApiName, TenantTarget } from './baseline-targets.js';
export { API_PATHS, baselineTargets } from './baseline-targets.js';
