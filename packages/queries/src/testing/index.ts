export type { TestSchema } from './test-schema.js';
export { createTestSchema, TEST_DATABASE_URL } from './test-schema.js';
