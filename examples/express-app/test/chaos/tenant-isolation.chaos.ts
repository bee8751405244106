import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  AgentBody,
  AgentsListBody,
  AnalyticsBody,
  OverviewBody,
} from '../../src/contract/response-bodies.js';
import type { RunningApp } from '../../src/server.js';
import { type JsonResponse, requestJson, seedTestData, type TestData } from '../support/test-app.js';
import { type InstancePair, startChaosApp, startInstancePair } from './support/chaos-app.js';
import { type LoadRequest, loadProgress, printFigures, startLoad } from './support/load.js';
import { loadTenants, pick, type Tenant } from './support/traffic.js';

const TENANTS = 50;
const REQUESTS = 4_000;
const RANGES = ['7d', '30d', '90d'];

/** The ids a body names: agents inline, calls and leads for a check against the database at the end. */
interface NamedIds {
  agents: number[];
  calls: number[];
  leads: number[];
}

function namedIds(path: string, body: unknown): NamedIds {
  if (path.startsWith('/api/dashboard/overview')) {
    const activity = (body as OverviewBody).recentActivity;
    return {
      agents: activity.map((item) => item.agentId),
      calls: activity.filter((item) => item.type === 'call').map((item) => item.id),
      leads: activity.filter((item) => item.type === 'lead').map((item) => item.id),
    };
  }
  if (path.startsWith('/api/dashboard/analytics')) {
    return { agents: (body as AnalyticsBody).agentPerformance.map((a) => a.agentId), calls: [], leads: [] };
  }
  const agents = path.startsWith('/api/agents?')
    ? (body as AgentsListBody).agents
    : [(body as AgentBody).agent];
  return { agents: agents.map((agent) => agent.id), calls: [], leads: [] };
}

/** The body without what depends on ElevenLabs' timing, hashed: one tenant's answer to one path is one value. */
function bodyDigest(body: unknown): string {
  const json = JSON.stringify(body, (key, value) =>
    key === 'config' || key === 'configStatus' ? undefined : value,
  );
  return createHash('sha256').update(json).digest('hex');
}

describe('scenario 4: tenant isolation under randomized load', () => {
  let data: TestData;
  let tenants: Tenant[];
  let pair: InstancePair;
  let noCache: RunningApp;
  /** Two instances sharing Redis, and one without any cache. */
  let instances: { name: string; app: RunningApp }[];
  beforeAll(async () => {
    data = await seedTestData('chaos_tenants', 'small');
    tenants = (await loadTenants(data)).filter((tenant) => tenant.agentIds.length > 0).slice(0, TENANTS);
    pair = await startInstancePair(data, { poolSize: 8 });
    noCache = await startChaosApp(data, { mode: 'optimized', config: { cache: 'off', poolSize: 8 } });
    instances = [
      { name: 'redis-a', app: pair.a },
      { name: 'redis-b', app: pair.b },
      { name: 'no-cache', app: noCache },
    ];
  });
  afterAll(async () => {
    await noCache?.close();
    await pair?.close();
    await data?.close();
  });

  it('never answers one tenant with another tenant’s data, entries or ETags', async () => {
    const agentOwner = new Map(tenants.flatMap((tenant) => tenant.agentIds.map((id) => [id, tenant.id])));
    const etagOwner = new Map<string, number>();
    const etagsOf = new Map<number, string[]>();
    /** Per tenant and path, each distinct body (by digest) and the instances that answered it. */
    const digests = new Map<string, Map<string, { body: unknown; by: Set<string> }>>();
    /** Cursors of pages each tenant was given, replayed by other tenants. */
    const cursors: { tenant: number; cursor: string }[] = [];
    /** Every tenant each activity id was shown to: more than one, and one tenant saw another's row. */
    const shownTo = { calls: new Map<number, Set<number>>(), leads: new Map<number, Set<number>>() };
    const recordShown = (seen: Map<number, Set<number>>, ids: number[], tenant: number) => {
      for (const id of ids) seen.set(id, (seen.get(id) ?? new Set()).add(tenant));
    };

    function randomPath(tenant: Tenant, others: Tenant[]): { path: string; foreignAgent: boolean } {
      const roll = Math.random();
      if (roll < 0.25) return { path: `/api/dashboard/overview?range=${pick(RANGES)}`, foreignAgent: false };
      if (roll < 0.5) {
        return {
          path: `/api/dashboard/analytics?range=${pick(RANGES)}&bucket=${pick(['day', 'week'])}`,
          foreignAgent: false,
        };
      }
      if (roll < 0.8) {
        const cursor = cursors.length > 0 && Math.random() < 0.5 ? pick(cursors).cursor : undefined;
        const limit = pick([1, 2, 5, 20, 100]);
        return {
          path: `/api/agents?limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`,
          foreignAgent: false,
        };
      }
      const foreign = Math.random() < 0.3;
      const owner = foreign ? pick(others) : tenant;
      return { path: `/api/agents/${pick(owner.agentIds)}`, foreignAgent: foreign };
    }

    function check(
      tenant: Tenant,
      instance: string,
      path: string,
      foreignAgent: boolean,
      sentEtag: string | undefined,
    ) {
      return (response: JsonResponse): string | undefined => {
        if (foreignAgent)
          return response.status === 404 ? undefined : `another tenant's agent: ${response.status}`;
        if (response.status === 304) {
          return sentEtag && etagOwner.get(sentEtag) === tenant.id
            ? undefined
            : '304 for an ETag not its own';
        }
        if (response.status !== 200) return `status ${response.status}`;
        const ids = namedIds(path, response.body);
        const foreign = ids.agents.filter((id) => agentOwner.get(id) !== tenant.id);
        if (foreign.length > 0) return `agents ${foreign.join(',')} of another tenant`;
        recordShown(shownTo.calls, ids.calls, tenant.id);
        recordShown(shownTo.leads, ids.leads, tenant.id);
        const etag = response.headers.get('etag') ?? '';
        const owner = etagOwner.get(etag);
        if (owner !== undefined && owner !== tenant.id) return `ETag ${etag} also served to tenant ${owner}`;
        if (owner === undefined) {
          etagOwner.set(etag, tenant.id);
          etagsOf.set(tenant.id, [...(etagsOf.get(tenant.id) ?? []), etag]);
        }
        const key = `${tenant.id} ${path}`;
        const bodies = digests.get(key) ?? new Map();
        const digest = bodyDigest(response.body);
        const entry = bodies.get(digest) ?? { body: response.body, by: new Set<string>() };
        entry.by.add(instance);
        digests.set(key, bodies.set(digest, entry));
        const next = (response.body as Partial<AgentsListBody>).nextCursor;
        if (next && cursors.length < 500) cursors.push({ tenant: tenant.id, cursor: next });
        return undefined;
      };
    }

    const load = startLoad(16, (): LoadRequest => {
      const tenant = pick(tenants);
      const others = tenants.filter((other) => other !== tenant);
      const { name, app } = pick(instances);
      const { path, foreignAgent } = randomPath(tenant, others);
      // Now and then, revalidate with another tenant's ETag (or, rarely, one's own).
      const etagSource = Math.random() < 0.2 ? pick(Math.random() < 0.8 ? others : [tenant]) : undefined;
      const sentEtag = etagSource ? pick(etagsOf.get(etagSource.id) ?? ['"none"']) : undefined;
      return {
        label: name,
        send: () =>
          requestJson(app.url, path, {
            key: tenant.apiKey,
            ...(sentEtag ? { headers: { 'if-none-match': sentEtag } } : {}),
          }),
        check: check(tenant, name, path, foreignAgent, sentEtag),
      };
    });
    await loadProgress(load, REQUESTS);
    const report = await load.stop();

    const sharedBy = (kind: string, seen: Map<number, Set<number>>) =>
      [...seen]
        .filter(([, by]) => by.size > 1)
        .map(([id, by]) => `${kind} ${id}: tenants ${[...by].join(',')}`);
    const shared = [...sharedBy('call', shownTo.calls), ...sharedBy('lead', shownTo.leads)];
    const foreignCalls = await sql<{ id: number; user_id: number }>`
      SELECT id, user_id FROM calls WHERE id = ANY(${[...shownTo.calls.keys()]}::bigint[])`.execute(
      data.schema.db,
    );
    const foreignLeads = await sql<{ id: number; user_id: number }>`
      SELECT id, user_id FROM leads WHERE id = ANY(${[...shownTo.leads.keys()]}::bigint[])`.execute(
      data.schema.db,
    );
    const shownToOther = (seen: Map<number, Set<number>>) => (row: { id: number; user_id: number }) =>
      [...(seen.get(Number(row.id)) ?? [])].some((tenant) => tenant !== row.user_id);
    const misattributed = [
      ...foreignCalls.rows.filter(shownToOther(shownTo.calls)),
      ...foreignLeads.rows.filter(shownToOther(shownTo.leads)),
    ];
    const divergent = [...digests]
      .filter(([, bodies]) => bodies.size > 1)
      .map(([key, bodies]) => ({
        key,
        bodies: [...bodies.values()].map(({ body, by }) => ({ by: [...by], body })),
      }));
    printFigures('4 tenant isolation', report, {
      tenants: tenants.length,
      etags: etagOwner.size,
      tenantPaths: digests.size,
      activityIdsChecked: shownTo.calls.size + shownTo.leads.size,
    });

    expect(report.problems).toEqual([]);
    expect(report.serverErrors).toBe(0);
    expect(shared).toEqual([]);
    expect(foreignCalls.rows.length + foreignLeads.rows.length).toBe(shownTo.calls.size + shownTo.leads.size);
    expect(misattributed).toEqual([]);
    // Cache on (two instances, Redis) or off: one tenant's answer to one path is one body.
    expect(divergent).toEqual([]);
  });
});
