export { ensureDatabase, migrateAndSeed } from '../database-setup.js';
export type { AppProcess, AppRuntime } from './app-process.js';
export { startAppProcess } from './app-process.js';
export type { TenantTarget } from './baseline-targets.js';
export { baselineTargets } from './baseline-targets.js';
