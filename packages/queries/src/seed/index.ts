export type { SeedManifest, SeedOptions } from './seed-database.js';
export { seedDatabase } from './seed-database.js';
export { hashApiKey } from './seed-plan.js';
export type { SeedScale, SeedScaleSpec } from './seed-scales.js';
export { DEFAULT_SEED, SEED_ANCHOR, SEED_DAYS, SEED_SCALES } from './seed-scales.js';
export type { TableChecksums } from './table-checksums.js';
export { tableChecksums } from './table-checksums.js';
