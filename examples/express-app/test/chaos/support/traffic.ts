import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { CallEndedResponse } from '../../../src/contract/write-bodies.js';
import type { RunningApp } from '../../../src/server.js';
import { type JsonResponse, requestJson, type TestData } from '../../support/test-app.js';
import type { LoadRequest } from './load.js';

/** A tenant as the traffic knows it: its key and its agents' ids. */
export interface Tenant {
  id: number;
  apiKey: string;
  agentIds: readonly number[];
}

/** The read endpoints the dashboards call, with each API's label. */
const READ_PATHS: readonly { label: 'overview' | 'analytics' | 'agents'; path: string }[] = [
  { label: 'overview', path: '/api/dashboard/overview?range=7d' },
  { label: 'overview', path: '/api/dashboard/overview?range=30d' },
  { label: 'analytics', path: '/api/dashboard/analytics?range=30d&bucket=week' },
  { label: 'analytics', path: '/api/dashboard/analytics?range=90d&bucket=day' },
  { label: 'agents', path: '/api/agents?limit=20' },
  { label: 'agents', path: '/api/agents?limit=2' },
];

/** One element of `items`, chosen at random. */
export function pick<T>(items: readonly T[]): T {
  const item = items[Math.floor(Math.random() * items.length)];
  if (item === undefined) throw new Error('pick from an empty list');
  return item;
}

/**
 * A random dashboard read of `tenant` on `app`: one of {@link READ_PATHS} or
 * one of its agents; the default check wants a 200.
 *
 * @example
 * startLoad(16, () => randomRead(pick([a, b]), pick(tenants)));
 */
export function randomRead(app: RunningApp, tenant: Tenant, check = expectStatus(200)): LoadRequest {
  const read =
    Math.random() < 0.2 && tenant.agentIds.length > 0
      ? { label: 'agents', path: `/api/agents/${pick(tenant.agentIds)}` }
      : pick(READ_PATHS);
  return {
    label: read.label,
    send: () => requestJson(app.url, read.path, { key: tenant.apiKey }),
    check,
  };
}

/**
 * A check that wants `status` and, for errors, the API's JSON error body.
 *
 * @example
 * randomRead(app, tenant, expectStatus(200));
 */
export function expectStatus(...statuses: number[]): (response: JsonResponse) => string | undefined {
  return (response) =>
    statuses.includes(response.status)
      ? undefined
      : `status ${response.status} (${response.text.slice(0, 200)})`;
}

/** A finished call as the webhook receives it; `endedAt` defaults to the app's "now". */
function callEndedBody(agentId: number, withLead = false) {
  return {
    agentId,
    status: 'completed' as const,
    durationSeconds: 42,
    costCents: 7,
    ...(withLead ? { lead: { name: 'Chaos Lead', phone: '+15550100', score: 90 } } : {}),
  };
}

/**
 * Delivers a call-ended webhook (with a fresh `Idempotency-Key` unless given).
 *
 * @example
 * const { status, body } = await deliverCallEnded(app, tenant, tenant.agentIds[0]);
 */
export function deliverCallEnded(
  app: RunningApp,
  tenant: Tenant,
  agentId: number,
  options: { idempotencyKey?: string; withLead?: boolean; signal?: AbortSignal } = {},
): Promise<JsonResponse<CallEndedResponse>> {
  return requestJson<CallEndedResponse>(app.url, '/api/webhooks/call-ended', {
    method: 'POST',
    key: tenant.apiKey,
    headers: { 'idempotency-key': options.idempotencyKey ?? randomUUID() },
    body: callEndedBody(agentId, options.withLead),
    ...(options.signal ? { signal: options.signal } : {}),
  });
}

/**
 * The seeded tenants of `data` with their agents' ids, heavy tenant first.
 *
 * @example
 * const tenants = await loadTenants(data);
 */
export async function loadTenants(data: TestData): Promise<Tenant[]> {
  const agents = await data.schema.db.selectFrom('agents').select(['id', 'user_id']).orderBy('id').execute();
  const tenants = data.manifest.users.map((user) => ({
    id: user.id,
    apiKey: user.apiKey,
    agentIds: agents.filter((agent) => agent.user_id === user.id).map((agent) => agent.id),
  }));
  return tenants.sort(
    (a, b) => Number(b.id === data.manifest.heavyUser.id) - Number(a.id === data.manifest.heavyUser.id),
  );
}

/**
 * How many of `ids` are rows of `table` (of user `userId` when given): every
 * acknowledged write must be there.
 *
 * @example
 * expect(await storedCount(data, 'calls', ackedCallIds)).toBe(ackedCallIds.length);
 */
export async function storedCount(
  data: TestData,
  table: 'calls' | 'leads',
  ids: readonly number[],
  userId?: number,
): Promise<number> {
  const { rows } = await sql<{ n: number }>`
    SELECT count(*)::int AS n FROM ${sql.table(table)}
    WHERE id = ANY(${[...ids]}::bigint[]) AND (${userId ?? null}::bigint IS NULL OR user_id = ${userId ?? null})`.execute(
    data.schema.db,
  );
  return rows[0]?.n ?? 0;
}
