import { defineConfig } from 'vitest/config';

// Workspace packages resolve to their TypeScript sources through this export
// condition, so tests never need a build step.
const conditions = ['@perfkit/source'];

const project = (name: string, root: string) => ({
  extends: true as const,
  test: { name, root, include: ['test/**/*.test.ts'] },
});

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions } },
  test: {
    allowOnly: !process.env.CI,
    testTimeout: 30_000,
    hookTimeout: 120_000,
    projects: [
      ...['primitives', 'cache', 'queries', 'external', 'monitor', 'cli'].map((name) =>
        project(name, `packages/${name}`),
      ),
      project('express-app', 'examples/express-app'),
    ],
  },
});
