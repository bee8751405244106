/**
 * The soak's traffic: what a dashboard-heavy product sends, reads mostly and
 * some writes, spread over every tenant of the seed.
 */
import { randomUUID } from 'node:crypto';
import type { SeedManifest } from '@perfkit/queries/admin';
import pg from 'pg';

/** A tenant with what the traffic needs to address its data. */
export interface SoakTenant {
  apiKey: string;
  agentIds: number[];
  /** Leads created by the soak, which later requests update. */
  leadIds: number[];
}

/** One request of the mix. */
export interface SoakRequest {
  kind: 'read' | 'write';
  method: string;
  path: string;
  apiKey: string;
  headers?: Record<string, string>;
  body?: unknown;
  /** Told the response's body when it succeeded (e.g. the id of a created lead). */
  onSuccess?(body: unknown): void;
}

const READS = [
  '/api/dashboard/overview?range=7d',
  '/api/dashboard/overview?range=30d',
  '/api/dashboard/analytics?range=30d&bucket=day',
  '/api/dashboard/analytics?range=90d&bucket=week',
  '/api/agents?limit=20',
];

function pick<T>(items: readonly T[]): T {
  return items[Math.floor(Math.random() * items.length)] as T;
}

/**
 * Every seeded tenant that has agents, with its agents' ids.
 *
 * @example
 * const tenants = await loadSoakTenants(url, manifest);
 */
export async function loadSoakTenants(url: string, manifest: SeedManifest): Promise<SoakTenant[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ id: number; user_id: number }>('SELECT id, user_id FROM agents');
    return manifest.users
      .map((user) => ({
        apiKey: user.apiKey,
        agentIds: rows.filter((row) => Number(row.user_id) === user.id).map((row) => Number(row.id)),
        leadIds: [],
      }))
      .filter((tenant) => tenant.agentIds.length > 0);
  } finally {
    await client.end();
  }
}

/**
 * The next request: a read (a dashboard or an agent) with probability
 * `1 - writeShare`, else a write — a call-ended webhook (with a lead now and
 * then), a lead created, or a lead the soak created updated.
 *
 * @example
 * const request = nextRequest(pick(tenants), 0.2);
 */
export function nextRequest(tenant: SoakTenant, writeShare: number): SoakRequest {
  const { apiKey } = tenant;
  if (Math.random() >= writeShare) {
    const path = Math.random() < 0.2 ? `/api/agents/${pick(tenant.agentIds)}` : pick(READS);
    return { kind: 'read', method: 'GET', path, apiKey };
  }
  const roll = Math.random();
  const agentId = pick(tenant.agentIds);
  if (roll < 0.6) {
    return {
      kind: 'write',
      method: 'POST',
      path: '/api/webhooks/call-ended',
      apiKey,
      headers: { 'idempotency-key': randomUUID() },
      body: {
        agentId,
        status: pick(['completed', 'completed', 'failed', 'no_answer', 'busy']),
        durationSeconds: Math.floor(Math.random() * 600),
        costCents: Math.floor(Math.random() * 200),
        ...(Math.random() < 0.3 ? { lead: { name: 'Soak Lead', phone: '+15550123', score: 70 } } : {}),
      },
    };
  }
  if (roll < 0.85 || tenant.leadIds.length === 0) {
    return {
      kind: 'write',
      method: 'POST',
      path: '/api/leads',
      apiKey,
      body: { agentId, name: 'Soak Lead', phone: '+15550124', score: Math.floor(Math.random() * 101) },
      onSuccess: (body) => {
        // Bounded, so a long soak does not grow the generator's own memory.
        if (tenant.leadIds.length < 50) tenant.leadIds.push((body as { id: number }).id);
      },
    };
  }
  return {
    kind: 'write',
    method: 'PATCH',
    path: `/api/leads/${pick(tenant.leadIds)}`,
    apiKey,
    body: { status: pick(['qualified', 'converted', 'lost']) },
  };
}
