import { SEED_ANCHOR } from '@perfkit/queries/admin';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentsListBody } from '../../src/contract/response-bodies.js';
import { type AppProcess, startAppProcess } from '../../src/load/app-process.js';
import type { RunningApp } from '../../src/server.js';
import { requestJson, seedTestData, startAppOn, type TestData } from '../support/test-app.js';

describe('graceful shutdown on SIGTERM', () => {
  let data: TestData;
  let app: AppProcess;
  beforeAll(async () => {
    data = await seedTestData('shutdown');
    // The child starts its own fake ElevenLabs at its default latency (median 300 ms), and the
    // naive agents list fetches the heavy tenant's configs one by one: a request that takes seconds.
    app = await startAppProcess({
      DATABASE_URL: data.schema.connectionString,
      MODE: 'naive',
      NOW: SEED_ANCHOR.toISOString(),
      SHUTDOWN_GRACE_MS: '20000',
    });
  });
  afterAll(async () => {
    await app?.stop();
    await data?.close();
  });

  it('stops accepting, lets the request in flight finish, then exits 0', async () => {
    const key = data.manifest.heavyUser.apiKey;
    const inFlight = requestJson<AgentsListBody>(app.url, '/api/agents', { key });
    await new Promise((resolve) => setTimeout(resolve, 300));

    const exit = app.stop();
    await new Promise((resolve) => setTimeout(resolve, 300));
    const late = await requestJson(app.url, '/health').then(
      (response) => response.status,
      (error: Error) => (error.cause as { code?: string } | undefined)?.code ?? error.message,
    );

    expect(late).toBe('ECONNREFUSED');
    const finished = await inFlight;
    expect(finished.status).toBe(200);
    expect(finished.body.agents.length).toBeGreaterThan(0);
    expect(await exit).toBe(0);
  }, 60_000);
});

/** A line the app logged. */
type LogLine = { msg: string; requests?: number };

/**
 * Runs `use` on a seeded app with a 200 ms shutdown grace whose fake
 * ElevenLabs answers after `latencyMs`, with the warnings it logs.
 */
async function withGraceApp(
  name: string,
  mode: 'naive' | 'optimized',
  latencyMs: number,
  use: (app: RunningApp, key: string, lines: LogLine[]) => Promise<void>,
): Promise<void> {
  const data = await seedTestData(name);
  const lines: LogLine[] = [];
  try {
    data.fake.configure({ latency: { kind: 'fixed', ms: latencyMs } });
    const app = await startAppOn(data, {
      mode,
      config: { shutdownGraceMs: 200 },
      start: { logger: pino({ level: 'warn' }, { write: (line) => lines.push(JSON.parse(line)) }) },
    });
    await use(app, data.manifest.heavyUser.apiKey, lines);
  } finally {
    await data.close();
  }
}

describe('a request that outlives the grace period', () => {
  it('is cut at its end, and the log says how many were', async () => {
    // Naive agents fetch each config in turn: at 1 s each, the heavy tenant's list takes seconds.
    await withGraceApp('shutdown_cut', 'naive', 1_000, async (app, key, lines) => {
      const cut = requestJson(app.url, '/api/agents', { key }).then(
        (response) => response.status,
        (error: Error) => error.message,
      );
      await new Promise((resolve) => setTimeout(resolve, 300));

      await app.close();

      expect(await cut).toBe('fetch failed');
      expect(lines.filter((line) => line.msg === 'shutdown cut requests still running')).toEqual([
        expect.objectContaining({ requests: 1 }),
      ]);
    });
  }, 60_000);
});

describe('closing what outlives the grace period', () => {
  it('does not wait past a second grace period for a background ElevenLabs fetch, and says so', async () => {
    // The agents list answers within its budget; the configs' fetches go on in the background for 30 s.
    await withGraceApp('shutdown_hung', 'optimized', 30_000, async (app, key, lines) => {
      const list = await requestJson(app.url, '/api/agents', { key });
      expect(list.status).toBe(200);

      const started = performance.now();
      await app.close();

      // Twelve times the two grace periods' 400 ms; waiting for the fetch took over 10 s (the client's timeout).
      expect(performance.now() - started).toBeLessThan(5_000);
      expect(lines.map((line) => line.msg)).toContain('shutdown left connections or fetches still closing');
    });
  }, 60_000);
});
