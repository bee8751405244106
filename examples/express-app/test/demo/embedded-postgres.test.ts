import { SEED_ANCHOR } from '@perfkit/queries/admin';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { migrateAndSeed } from '../../src/database-setup.js';
import {
  EMBEDDED_APP_ENV,
  type EmbeddedPostgres,
  startEmbeddedPostgres,
} from '../../src/embedded-postgres.js';
import { type RunningApp, startServer } from '../../src/server.js';
import { requestJson } from '../support/test-app.js';

// The demo's database on a machine without PostgreSQL. PGlite serves every connection from one
// session: without EMBEDDED_APP_ENV, many of these requests answered 500 ("prepared statement …
// already exists" in optimized mode; in naive mode, under the demo's load on `small`, "portal does not exist").
describe('the app on the embedded PGlite', () => {
  let pg: EmbeddedPostgres;
  let key: string;
  beforeAll(async () => {
    pg = await startEmbeddedPostgres();
    const manifest = await migrateAndSeed(pg.url, 'tiny');
    key = manifest.heavyUser.apiKey;
  }, 120_000);
  afterAll(() => pg?.stop());

  async function concurrentStatuses(mode: 'naive' | 'optimized'): Promise<number[]> {
    const config = loadConfig({
      ...EMBEDDED_APP_ENV,
      DATABASE_URL: pg.url,
      MODE: mode,
      CACHE: 'off',
      DB_ACQUIRE_TIMEOUT_MS: '60000',
      // PGlite's WebAssembly runs on the app's event loop: a busy machine must not make it shed.
      SHED_EVENT_LOOP_DELAY_MS: '0',
      LOG_LEVEL: 'silent',
      PORT: '0',
    });
    const app: RunningApp = await startServer(config, { now: SEED_ANCHOR });
    try {
      const paths = ['/api/dashboard/overview', '/api/dashboard/analytics', '/api/agents'];
      const answers = await Promise.all(
        Array.from({ length: 12 }, (_, i) => requestJson(app.url, paths[i % 3] as string, { key })),
      );
      return answers.map((answer) => answer.status);
    } finally {
      await app.close();
    }
  }

  it.each(['naive', 'optimized'] as const)(
    'answers every concurrent request in %s mode with the settings the demo gives it',
    async (mode) => {
      expect(await concurrentStatuses(mode)).toEqual(Array(12).fill(200));
    },
    120_000,
  );
});
