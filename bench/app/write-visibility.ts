/**
 * Multi-instance write visibility: a write through one instance, then how
 * long until another instance's cached read shows it.
 */
import { performance } from 'node:perf_hooks';
import pg from 'pg';

/** Options of {@link measureWriteVisibility}. */
export interface VisibilityOptions {
  /** The instance writes go through. */
  writerUrl: string;
  /** The instance polled until it shows the write. */
  readerUrl: string;
  /** The database both serve, to pick a lead to update. */
  databaseUrl: string;
  /** Tenants (id, API key) to pick the lead from. */
  tenants: Array<{ id: number; apiKey: string }>;
  /** The seed's "now", which the apps are given. */
  anchor: string;
  writes: number;
  /** Give up on one write after this long. */
  timeoutMs: number;
}

/** Per write: ms from the write's response to the reader's first response showing it, and how it was served. */
export interface VisibilityResult {
  tenantId: number;
  leadId: number;
  delaysMs: number[];
  /** `X-Cache` of each first response that showed the write. */
  servedAs: string[];
  /** Median time of one poll of the reader, ms: the delay's resolution. */
  pollMs: number;
  /** Writes the reader had not shown within `timeoutMs`. */
  timedOut: number;
}

const OVERVIEW = '/api/dashboard/overview?range=7d';

async function qualifiedLeads(url: string, apiKey: string): Promise<{ value: number; cache: string }> {
  const res = await fetch(`${url}${OVERVIEW}`, { headers: { authorization: `Bearer ${apiKey}` } });
  const body = (await res.json()) as { kpis?: { qualifiedLeads: number } };
  if (!res.ok || !body.kpis) throw new Error(`GET ${OVERVIEW} answered ${res.status}`);
  return { value: body.kpis.qualifiedLeads, cache: res.headers.get('x-cache') ?? '-' };
}

async function setStatus(url: string, apiKey: string, leadId: number, status: 'new' | 'qualified') {
  const res = await fetch(`${url}/api/leads/${leadId}`, {
    method: 'PATCH',
    headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ status }),
  });
  await res.arrayBuffer();
  if (!res.ok) throw new Error(`PATCH /api/leads/${leadId} answered ${res.status}`);
}

/** A `new` lead created inside the overview's 7-day window, of the first tenant that has one. */
async function pickLead(options: VisibilityOptions): Promise<{ tenantId: number; leadId: number }> {
  const client = new pg.Client({ connectionString: options.databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ user_id: number; id: string }>(
      `SELECT user_id, id FROM leads
       WHERE user_id = ANY($1::bigint[]) AND status = 'new'
         AND created_at >= date_trunc('day', $2::timestamptz AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' - interval '6 days'
         AND created_at <= $2::timestamptz
       ORDER BY user_id, id LIMIT 1`,
      [options.tenants.map((t) => t.id), options.anchor],
    );
    const row = rows[0];
    if (!row) throw new Error('no tenant has a new lead in the last 7 days');
    return { tenantId: Number(row.user_id), leadId: Number(row.id) };
  } finally {
    await client.end();
  }
}

/**
 * Toggles one lead between `new` and `qualified` through the writer
 * `writes` times (an even number leaves it as it was); after each write,
 * polls the reader's overview until `qualifiedLeads` shows it. Before each
 * write both instances hold the overview in cache, so the delay is the
 * invalidation's (bus or NOTIFY) plus one reload.
 *
 * @example
 * const result = await measureWriteVisibility({ writerUrl, readerUrl, databaseUrl, tenants, anchor, writes: 50, timeoutMs: 5000 });
 */
export async function measureWriteVisibility(options: VisibilityOptions): Promise<VisibilityResult> {
  const { tenantId, leadId } = await pickLead(options);
  const apiKey = options.tenants.find((t) => t.id === tenantId)?.apiKey as string;
  const base = (await qualifiedLeads(options.writerUrl, apiKey)).value;
  const delaysMs: number[] = [];
  const servedAs: string[] = [];
  const polls: number[] = [];
  let timedOut = 0;
  let qualified = false;
  try {
    for (let i = 0; i < options.writes; i++) {
      const expected = base + (qualified ? 0 : 1);
      // Both instances hold the current answer in cache before the write.
      await qualifiedLeads(options.readerUrl, apiKey);
      await qualifiedLeads(options.writerUrl, apiKey);
      await setStatus(options.writerUrl, apiKey, leadId, qualified ? 'new' : 'qualified');
      qualified = !qualified;
      const written = performance.now();
      for (;;) {
        const sent = performance.now();
        const seen = await qualifiedLeads(options.readerUrl, apiKey);
        const now = performance.now();
        polls.push(now - sent);
        if (seen.value === expected) {
          delaysMs.push(now - written);
          servedAs.push(seen.cache);
          break;
        }
        if (now - written > options.timeoutMs) {
          timedOut++;
          break;
        }
      }
    }
  } finally {
    if (qualified) await setStatus(options.writerUrl, apiKey, leadId, 'new');
  }
  polls.sort((a, b) => a - b);
  return {
    tenantId,
    leadId,
    delaysMs,
    servedAs,
    pollMs: polls[Math.floor(polls.length / 2)] ?? Number.NaN,
    timedOut,
  };
}
