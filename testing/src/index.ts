export { freePort, freePorts } from './free-port.js';
export type { PrivatePostgres } from './private-postgres.js';
export { findPostgresBinaries, startPrivatePostgres } from './private-postgres.js';
export type { PrivateRedis, PrivateRedisOptions } from './private-redis.js';
export { startPrivateRedis } from './private-redis.js';
export type { TestSchema } from './test-schema.js';
export { createTestSchema, TEST_DATABASE_URL } from './test-schema.js';
