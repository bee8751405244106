import { readFile } from 'node:fs/promises';
import { SEED_ANCHOR } from '@perfkit/queries/admin';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AppProcess, startAppProcess } from '../../src/load/app-process.js';
import { requestJson, seedTestData, type TestData } from '../support/test-app.js';

// The benchmarks run the app as `pnpm run build` compiles it (the README's test command builds first):
// this proves that build starts and answers on the packages' own dist/, without the source condition.
describe('the compiled app (dist/)', () => {
  let data: TestData;
  let app: AppProcess;
  beforeAll(async () => {
    data = await seedTestData('compiled');
    app = await startAppProcess(
      { DATABASE_URL: data.schema.connectionString, MODE: 'optimized', NOW: SEED_ANCHOR.toISOString() },
      { runtime: 'compiled' },
    );
  });
  afterAll(async () => {
    await app?.stop();
    await data?.close();
  });

  it('runs dist/main.js and answers every read API', async () => {
    const commandLine = (await readFile(`/proc/${app.pid}/cmdline`, 'utf8')).split('\0');
    expect(commandLine).toContain('dist/main.js');
    expect(commandLine.join(' ')).not.toMatch(/tsx|@perfkit\/source/);

    const key = data.manifest.heavyUser.apiKey;
    for (const path of ['/api/dashboard/overview?range=7d', '/api/dashboard/analytics', '/api/agents']) {
      const response = await requestJson(app.url, path, { key });
      expect({ path, status: response.status }).toEqual({ path, status: 200 });
    }
    expect((await requestJson(app.url, '/health')).status).toBe(200);
  }, 60_000);
});
