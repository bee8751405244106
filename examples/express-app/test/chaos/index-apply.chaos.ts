import { applyIndexes, declaredIndexes, dropIndexes, indexStatus } from '@perfkit/queries/admin';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LeadBody } from '../../src/contract/write-bodies.js';
import type { RunningApp } from '../../src/server.js';
import { eventually } from '../support/eventually.js';
import { seedPrivateDatabase } from '../support/private-database.js';
import { requestJson, type TestData } from '../support/test-app.js';
import { startChaosApp } from './support/chaos-app.js';
import { type LoadRequest, loadProgress, printFigures, startLoad } from './support/load.js';
import {
  deliverCallEnded,
  expectStatus,
  loadTenants,
  pick,
  randomRead,
  storedCount,
  type Tenant,
} from './support/traffic.js';

/** The build the test interrupts: an index on the table the writes insert into. */
const INTERRUPTED = 'calls_agent_created_idx';

describe('scenario 8: index apply under write load', () => {
  let data: TestData;
  let app: RunningApp;
  let tenants: Tenant[];
  beforeAll(async () => {
    // A database of its own: cancelling "the CREATE INDEX backend" must reach no other test file's build.
    data = await seedPrivateDatabase('indexes');
    app = await startChaosApp(data, { mode: 'optimized' });
    tenants = await loadTenants(data);
  });
  afterAll(async () => {
    await app?.close();
    await data?.close();
  });

  it('fails no write while indexes are dropped and built, and rebuilds an interrupted build on the next apply', async () => {
    const url = data.schema.connectionString;
    const ackedCalls: number[] = [];
    const ackedLeads: LeadBody[] = [];

    const writes = startLoad(6, (): LoadRequest => {
      const tenant = pick(tenants);
      const roll = Math.random();
      if (roll < 0.6) {
        return {
          label: 'webhook',
          send: async () => {
            const response = await deliverCallEnded(app, tenant, pick(tenant.agentIds), {
              withLead: Math.random() < 0.5,
            });
            if (response.status === 201) ackedCalls.push(response.body.call.id);
            return response;
          },
          check: expectStatus(201),
        };
      }
      const own = ackedLeads.filter((lead) => tenant.agentIds.includes(lead.agentId));
      if (roll < 0.8 || own.length === 0) {
        return {
          label: 'lead create',
          send: async () => {
            const response = await requestJson<LeadBody>(app.url, '/api/leads', {
              method: 'POST',
              key: tenant.apiKey,
              body: { agentId: pick(tenant.agentIds), name: 'Index Lead', phone: '+15550142', score: 70 },
            });
            if (response.status === 201) ackedLeads.push(response.body);
            return response;
          },
          check: expectStatus(201),
        };
      }
      const lead = pick(own);
      return {
        label: 'lead update',
        send: () =>
          requestJson(app.url, `/api/leads/${lead.id}`, {
            method: 'PATCH',
            key: tenant.apiKey,
            body: { status: 'qualified' },
          }),
        check: expectStatus(200),
      };
    });
    const reads = startLoad(2, () => randomRead(app, pick(tenants)));

    await loadProgress(writes, 100);
    const dropped = await dropIndexes(url);
    await loadProgress(writes, 100);

    // A reader's open snapshot makes the build wait in its last phase, where the test cancels it;
    // the reader's lock then keeps the engine from dropping the INVALID leftover in time.
    const reader = new pg.Client({ connectionString: url });
    await reader.connect();
    await reader.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
    await reader.query('SELECT 1 FROM calls LIMIT 1');
    const interruptedApply = applyIndexes(url, { only: [INTERRUPTED], lockTimeoutMs: 500, maxAttempts: 1 });
    await eventually(
      async () =>
        (
          await sql<{ cancelled: boolean }>`SELECT pg_cancel_backend(pid) AS cancelled FROM pg_stat_activity
            WHERE datname = current_database() AND query ILIKE ${`CREATE INDEX CONCURRENTLY%${INTERRUPTED}%`}
              AND wait_event_type = 'Lock'`.execute(data.schema.db)
        ).rows,
      (rows) => rows.some((row) => row.cancelled),
    );
    const [interrupted] = await interruptedApply;
    await reader.query('ROLLBACK');
    await reader.end();
    const [leftover] = await indexStatus(url, { only: [INTERRUPTED] });
    await loadProgress(writes, 100);

    const applied = await applyIndexes(url);
    await loadProgress(writes, 100);
    const writeReport = await writes.stop();
    const readReport = await reads.stop();
    const status = await indexStatus(url);

    printFigures('8 index apply (writes)', writeReport, {
      dropped: dropped.filter((r) => r.status === 'dropped').length,
      interrupted: interrupted?.status,
      leftover,
      applied: applied.map((r) => `${r.name}:${r.status}:${Math.round(r.durationMs)}ms`),
    });
    printFigures('8 index apply (reads)', readReport);

    expect(writeReport.problems).toEqual([]);
    expect(writeReport.serverErrors).toBe(0);
    expect(readReport.problems).toEqual([]);
    expect(dropped.map((r) => r.status)).toEqual(declaredIndexes.map(() => 'dropped'));
    expect(interrupted).toMatchObject({ status: 'failed', leftover: 'remains' });
    expect(leftover).toMatchObject({ exists: true, valid: false });
    expect(applied.find((r) => r.name === INTERRUPTED)?.status).toBe('rebuilt');
    expect(applied.filter((r) => r.name !== INTERRUPTED).map((r) => r.status)).toEqual(
      declaredIndexes.filter((i) => i.name !== INTERRUPTED).map(() => 'created'),
    );
    expect(status.filter((s) => !(s.exists && s.valid && s.asDeclared))).toEqual([]);
    expect(await storedCount(data, 'calls', ackedCalls)).toBe(ackedCalls.length);
    expect(
      await storedCount(
        data,
        'leads',
        ackedLeads.map((lead) => lead.id),
      ),
    ).toBe(ackedLeads.length);
  });
});
