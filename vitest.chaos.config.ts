import { defineConfig } from 'vitest/config';
import base from './vitest.config.js';

// The chaos suite (issue 16's scenarios): the example app under load while
// Redis, PostgreSQL and ElevenLabs fail. Kept out of `vitest run`, so the
// normal suite does not run it twice; files run one after another, since each
// one loads the machine on purpose.
export default defineConfig({
  resolve: base.resolve,
  ssr: base.ssr,
  test: {
    name: 'chaos',
    root: 'examples/express-app',
    include: ['test/chaos/**/*.chaos.ts'],
    allowOnly: !process.env.CI,
    fileParallelism: false,
    testTimeout: 180_000,
    hookTimeout: 180_000,
  },
});
