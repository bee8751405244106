import { type PrivateRedis, startPrivateRedis } from '@perfkit/testing';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OverviewBody } from '../../src/contract/response-bodies.js';
import type { RunningApp } from '../../src/server.js';
import { eventually } from '../support/eventually.js';
import { requestJson, seedTestData, type TestData } from '../support/test-app.js';
import { type InstancePair, startInstancePair } from './support/chaos-app.js';
import { type LoadRequest, loadProgress, printFigures, startLoad } from './support/load.js';
import {
  deliverCallEnded,
  expectStatus,
  loadTenants,
  pick,
  randomRead,
  type Tenant,
} from './support/traffic.js';

/** Requests answered in each phase before the test moves on. */
const PHASE_REQUESTS = 300;
/** Writes made while Redis is down. */
const WRITES_DURING_OUTAGE = 5;

describe('scenario 1: Redis killed and restarted under load', () => {
  let data: TestData;
  let redis: PrivateRedis;
  /** The test's own connection, to count the keys Redis holds. */
  let redisClient: Redis;
  let pair: InstancePair;
  let a: RunningApp;
  let b: RunningApp;
  let tenants: Tenant[];
  beforeAll(async () => {
    data = await seedTestData('chaos_redis');
    redis = await startPrivateRedis({ persistent: true });
    redisClient = new Redis(redis.url, { maxRetriesPerRequest: 1 });
    redisClient.on('error', () => undefined);
    pair = await startInstancePair(data, { redisUrl: redis.url });
    ({ a, b } = pair);
    tenants = await loadTenants(data);
  });
  afterAll(async () => {
    await pair?.close();
    redisClient?.disconnect();
    await redis?.stop();
    await data?.close();
  });

  const overview = (app: RunningApp, tenant: Tenant) =>
    requestJson<OverviewBody>(app.url, '/api/dashboard/overview?range=7d', { key: tenant.apiKey });

  it('answers every request, never shows a read older than an invalidation sent while Redis was down, and uses Redis again after it restarts', async () => {
    const writer = tenants[0] as Tenant;
    const agentId = writer.agentIds[0] as number;
    const base = (await overview(a, writer)).body.kpis.totalCalls;
    // The least total a read of the writer's overview may show on each instance, from
    // the moment the instance has shown (or, for the writer's instance, acknowledged) a write.
    const floors = new Map([
      [a, base],
      [b, base],
    ]);

    const load = startLoad(16, (worker) => {
      const app = worker % 2 === 0 ? a : b;
      if (worker % 4 < 2) {
        const floor = floors.get(app) ?? base;
        return {
          label: 'overview',
          send: () => overview(app, writer),
          check: (response) =>
            expectStatus(200)(response) ??
            ((response.body as OverviewBody).kpis.totalCalls < floor
              ? `read ${(response.body as OverviewBody).kpis.totalCalls} calls after ${floor} were shown`
              : undefined),
        } satisfies LoadRequest;
      }
      return randomRead(app, pick(tenants));
    });

    await loadProgress(load, PHASE_REQUESTS);
    const keysBefore = await redisClient.dbsize();

    await redis.kill();
    await loadProgress(load, PHASE_REQUESTS);
    for (let n = 1; n <= WRITES_DURING_OUTAGE; n++) {
      const [writeVia, other] = n % 2 === 1 ? [a, b] : [b, a];
      const written = await deliverCallEnded(writeVia, writer, agentId);
      expect(written.status).toBe(201);
      floors.set(writeVia, base + n);
      expect((await overview(writeVia, writer)).body.kpis.totalCalls).toBe(base + n);
      // The other instance hears of it through PostgreSQL's NOTIFY, Redis' bus being down.
      await eventually(
        () => overview(other, writer),
        (r) => r.body.kpis.totalCalls === base + n,
      );
      floors.set(other, base + n);
    }
    await loadProgress(load, PHASE_REQUESTS);

    // It comes back with everything it held before the kill, the entries the writes invalidated included.
    await redis.restart();
    await loadProgress(load, PHASE_REQUESTS);
    const l2Hit = await eventually(
      async () => {
        // A key neither instance has read yet: loaded through one, then read from Redis by the other.
        const path = `/api/agents?limit=${Math.floor(30 + Math.random() * 70)}&cursor=${freshCursor()}`;
        await requestJson(a.url, path, { key: writer.apiKey });
        return requestJson(b.url, path, { key: writer.apiKey });
      },
      (r) => r.headers.get('x-cache') === 'hit',
      30_000,
    );
    await loadProgress(load, PHASE_REQUESTS);
    const report = await load.stop();
    const keysAfter = await redisClient.dbsize();
    printFigures('1 redis outage', report, { keysBefore, keysAfter });

    expect(l2Hit.status).toBe(200);
    expect(report.problems).toEqual([]);
    expect(report.serverErrors).toBe(0);
    for (const app of [a, b]) expect((await overview(app, writer)).body.kpis.totalCalls).toBe(base + 5);
    expect(report.latency.overview?.p99).toBeLessThan(2_000);
    expect(report.latency.analytics?.p99).toBeLessThan(2_000);
    expect(report.latency.agents?.p99).toBeLessThan(1_000);
  });
});

let cursorSerial = 0;
/** A valid agents cursor no request has used: far in the future, so the page is the first page's agents. */
function freshCursor(): string {
  cursorSerial++;
  const at = new Date(Date.UTC(2100, 0, 1) - cursorSerial * 1000).toISOString().replace('Z', '000Z');
  return Buffer.from(JSON.stringify([at, 1])).toString('base64url');
}
