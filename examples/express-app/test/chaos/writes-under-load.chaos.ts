import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentsListBody, OverviewBody } from '../../src/contract/response-bodies.js';
import type { CallEndedResponse, LeadBody } from '../../src/contract/write-bodies.js';
import type { RunningApp } from '../../src/server.js';
import { eventually } from '../support/eventually.js';
import { type JsonResponse, requestJson, seedTestData, type TestData } from '../support/test-app.js';
import { type InstancePair, startInstancePair } from './support/chaos-app.js';
import { type LoadRequest, loadProgress, printFigures, startLoad } from './support/load.js';
import {
  deliverCallEnded,
  expectStatus,
  loadTenants,
  pick,
  storedCount,
  type Tenant,
} from './support/traffic.js';

/** Writes (webhook deliveries with their retries, lead creates) answered before the load stops. */
const WRITES = 300;

/** What one tenant's writes did, as the clients saw it. */
interface TenantWrites {
  /** Idempotency keys sent at least once. */
  sent: Set<string>;
  /** Acknowledged deliveries: key → the response body (identical on every retry). */
  acked: Map<string, CallEndedResponse>;
  /** Keys acknowledged by each instance. */
  ackedBy: Map<RunningApp, Set<string>>;
  /** Leads created through `POST /api/leads` and acknowledged. */
  createdLeads: LeadBody[];
}

describe('scenario 6: writes under load, retried by their clients', () => {
  let data: TestData;
  let pair: InstancePair;
  let a: RunningApp;
  let b: RunningApp;
  let tenants: Tenant[];
  beforeAll(async () => {
    data = await seedTestData('chaos_writes');
    pair = await startInstancePair(data);
    ({ a, b } = pair);
    tenants = await loadTenants(data);
  });
  afterAll(async () => {
    await pair?.close();
    await data?.close();
  });

  const overview = (app: RunningApp, tenant: Tenant) =>
    requestJson<OverviewBody>(app.url, '/api/dashboard/overview?range=7d', { key: tenant.apiKey });

  it('keeps every acknowledged write, once, in the database and in both instances’ dashboards', async () => {
    const base = new Map<Tenant, OverviewBody['kpis']>();
    const writes = new Map<Tenant, TenantWrites>();
    for (const tenant of tenants) {
      base.set(tenant, (await overview(a, tenant)).body.kpis);
      writes.set(tenant, {
        sent: new Set(),
        acked: new Map(),
        ackedBy: new Map([
          [a, new Set()],
          [b, new Set()],
        ]),
        createdLeads: [],
      });
    }
    const maxCallId = Number(
      (await sql<{ max: number }>`SELECT max(id) AS max FROM calls`.execute(data.schema.db)).rows[0]?.max,
    );
    let retries = 0;
    let replays = 0;
    /** Retries and duplicates of one key that did not answer exactly what its first acknowledgement did. */
    const inconsistent: string[] = [];

    /**
     * A client that delivers one call-ended webhook until it is acknowledged:
     * it gives up on slow attempts and retries with the same key, on either
     * instance, and now and then delivers once more after the acknowledgement.
     */
    async function deliverWithRetries(tenant: Tenant): Promise<JsonResponse> {
      const state = writes.get(tenant) as TenantWrites;
      const key = randomUUID();
      const agentId = pick(tenant.agentIds);
      const withLead = Math.random() < 0.3;
      state.sent.add(key);
      let app = pick([a, b]);
      for (let attempt = 1; ; attempt++) {
        // The client's patience: often shorter than the write takes, so the response is lost though the write may commit.
        const signal =
          attempt < 3 && Math.random() < 0.5
            ? AbortSignal.timeout(Math.floor(Math.random() * 20))
            : undefined;
        try {
          const response = await deliverCallEnded(app, tenant, agentId, {
            idempotencyKey: key,
            withLead,
            ...(signal ? { signal } : {}),
          });
          if (response.status !== 201) return response;
          const previous = state.acked.get(key);
          if (previous && JSON.stringify(previous) !== response.text) {
            inconsistent.push(
              `key ${key}: a retry answered ${response.text}, not ${JSON.stringify(previous)}`,
            );
          }
          if (response.headers.get('idempotent-replayed') === 'true') replays++;
          state.acked.set(key, response.body);
          state.ackedBy.get(app)?.add(key);
          // A duplicate delivery after the acknowledgement, as a webhook sender that missed it would send.
          if (Math.random() < 0.3) {
            const again = await deliverCallEnded(pick([a, b]), tenant, agentId, {
              idempotencyKey: key,
              withLead,
            });
            if (again.text !== response.text || again.headers.get('idempotent-replayed') !== 'true') {
              inconsistent.push(`key ${key}: a duplicate delivery answered ${again.status} ${again.text}`);
            }
            replays++;
          }
          return response;
        } catch (error) {
          if (!signal?.aborted) throw error;
          retries++;
          app = pick([a, b]);
        }
      }
    }

    async function createLead(tenant: Tenant): Promise<JsonResponse> {
      const app = pick([a, b]);
      const response = await requestJson<LeadBody>(app.url, '/api/leads', {
        method: 'POST',
        key: tenant.apiKey,
        body: { agentId: pick(tenant.agentIds), name: 'Chaos Lead', phone: '+15550199', score: 55 },
      });
      if (response.status === 201) writes.get(tenant)?.createdLeads.push(response.body);
      return response;
    }

    const writers = startLoad(6, (): LoadRequest => {
      const tenant = pick(tenants);
      const lead = Math.random() < 0.2;
      return {
        label: lead ? 'lead create' : 'webhook',
        send: () => (lead ? createLead(tenant) : deliverWithRetries(tenant)),
        check: expectStatus(201),
      };
    });
    const readers = startLoad(6, (): LoadRequest => {
      const tenant = pick(tenants);
      const app = pick([a, b]);
      const state = writes.get(tenant) as TenantWrites;
      // Read-your-writes on the instance that acknowledged them; never more calls than keys were sent.
      const atLeast = (base.get(tenant)?.totalCalls ?? 0) + (state.ackedBy.get(app)?.size ?? 0);
      return {
        label: 'overview',
        send: () => overview(app, tenant),
        check: (response) => {
          if (response.status !== 200) return `status ${response.status}`;
          const total = (response.body as OverviewBody).kpis.totalCalls;
          const atMost = (base.get(tenant)?.totalCalls ?? 0) + state.sent.size;
          if (total < atLeast) return `${total} calls after ${atLeast} were acknowledged by this instance`;
          if (total > atMost) return `${total} calls, more than the ${atMost} possible: a duplicate`;
          return undefined;
        },
      };
    });
    await loadProgress(writers, WRITES);
    const writeReport = await writers.stop();
    const readReport = await readers.stop();

    for (const tenant of tenants) {
      const state = writes.get(tenant) as TenantWrites;
      const kpis = base.get(tenant) as OverviewBody['kpis'];
      const stored = await sql<{ calls: number; keyed: number }>`
        SELECT (SELECT count(*)::int FROM calls WHERE user_id = ${tenant.id} AND id > ${maxCallId}) AS calls,
               (SELECT count(*)::int FROM webhook_deliveries
                 WHERE user_id = ${tenant.id} AND idempotency_key = ANY(${[...state.sent]}::text[])) AS keyed`.execute(
        data.schema.db,
      );
      const ackedCallIds = [...state.acked.values()].map((response) => response.call.id);
      const ackedLeadIds = [
        ...[...state.acked.values()].flatMap((response) => (response.lead ? [response.lead.id] : [])),
        ...state.createdLeads.map((lead) => lead.id),
      ];
      // Every key sent was eventually acknowledged, and applied exactly once.
      expect(state.acked.size).toBe(state.sent.size);
      expect(new Set(ackedCallIds).size).toBe(state.acked.size);
      expect(stored.rows[0]).toEqual({ calls: state.acked.size, keyed: state.sent.size });
      expect(await storedCount(data, 'calls', ackedCallIds, tenant.id)).toBe(ackedCallIds.length);
      expect(await storedCount(data, 'leads', ackedLeadIds, tenant.id)).toBe(ackedLeadIds.length);

      const expectedCalls = kpis.totalCalls + state.acked.size;
      const expectedLeads = kpis.totalLeads + ackedLeadIds.length;
      for (const app of [a, b]) {
        const shown = await eventually(
          () => overview(app, tenant),
          (response) =>
            response.body.kpis.totalCalls === expectedCalls &&
            response.body.kpis.totalLeads === expectedLeads,
        );
        expect(shown.body.kpis).toMatchObject({ totalCalls: expectedCalls, totalLeads: expectedLeads });
        const agents = await requestJson<AgentsListBody>(app.url, '/api/agents?limit=100', {
          key: tenant.apiKey,
        });
        const shownPerAgent = Object.fromEntries(
          agents.body.agents.map((agent) => [agent.id, agent.stats.totalCalls]),
        );
        const perAgent = await sql<{ agent_id: number; calls: number }>`
          SELECT agent_id, count(*)::int AS calls FROM calls WHERE user_id = ${tenant.id} GROUP BY agent_id`.execute(
          data.schema.db,
        );
        expect(shownPerAgent).toEqual(
          Object.fromEntries(perAgent.rows.map((row) => [row.agent_id, row.calls])),
        );
      }
    }
    printFigures('6 writes under load (writers)', writeReport, { retries, replays });
    printFigures('6 writes under load (readers)', readReport);

    expect(writeReport.problems).toEqual([]);
    expect(inconsistent).toEqual([]);
    expect(readReport.problems).toEqual([]);
    expect(retries).toBeGreaterThan(0);
    expect(replays).toBeGreaterThan(0);
  });
});
