import type { Kysely } from 'kysely';
import { METRIC_COLUMNS } from '../../src/analytics/daily-metrics.js';
import type { Database } from './queries.js';

/** Inserts tenants and agents by hand, for tests that need no seed. */
export async function insertTenants(
  db: Kysely<Database>,
  spec: { users: number; agentsPerUser: number },
): Promise<Array<{ userId: number; agentIds: number[] }>> {
  const tenants: Array<{ userId: number; agentIds: number[] }> = [];
  for (let u = 0; u < spec.users; u++) {
    const tag = `${Date.now()}_${u}_${Math.random().toString(36).slice(2)}`;
    const user = await db
      .insertInto('users')
      .values({ email: `user_${tag}@example.com`, api_key_hash: `hash_${tag}` })
      .returning('id')
      .executeTakeFirstOrThrow();
    const agentIds: number[] = [];
    for (let a = 0; a < spec.agentsPerUser; a++) {
      const agent = await db
        .insertInto('agents')
        .values({
          user_id: user.id,
          name: `Agent ${a}`,
          elevenlabs_agent_id: `el_${tag}_${a}`,
          status: a % 3 === 2 ? 'paused' : 'active',
          created_at: new Date(Date.UTC(2026, 5, 1, 0, 0, a)),
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      agentIds.push(agent.id);
    }
    tenants.push({ userId: user.id, agentIds });
  }
  return tenants;
}

/** One agent-day computed in JS from every raw row: the oracle. */
export type OracleDay = Record<(typeof COUNT_KEYS)[number], number> & { last_call_at: number | null };

// The column names are shared with the code under test; the arithmetic below is not.
const COUNT_KEYS = METRIC_COLUMNS;

const emptyDay = (): OracleDay =>
  Object.assign(Object.fromEntries(COUNT_KEYS.map((k) => [k, 0])), { last_call_at: null }) as OracleDay;

/** Full scan of calls and leads, aggregated per `user|agent|day` in JS. */
export async function oracleDays(db: Kysely<Database>): Promise<Map<string, OracleDay>> {
  const calls = await db.selectFrom('calls').selectAll().execute();
  const leads = await db.selectFrom('leads').selectAll().execute();
  const days = new Map<string, OracleDay>();
  const at = (userId: number, agentId: number, createdAt: Date) => {
    const key = `${userId}|${agentId}|${createdAt.toISOString().slice(0, 10)}`;
    const day = days.get(key) ?? emptyDay();
    days.set(key, day);
    return day;
  };
  for (const c of calls) {
    const day = at(c.user_id, c.agent_id, c.created_at);
    day.calls_total++;
    day.cost_cents += c.cost_cents;
    if (c.status === 'completed') {
      day.calls_completed++;
      day.duration_completed_seconds += c.duration_seconds;
    }
    if (c.status === 'failed') day.calls_failed++;
    day.last_call_at = Math.max(day.last_call_at ?? 0, c.created_at.getTime());
  }
  for (const l of leads) {
    const day = at(l.user_id, l.agent_id, l.created_at);
    day.leads_total++;
    if (l.status === 'qualified' || l.status === 'converted') day.leads_qualified++;
    if (l.status === 'converted') day.leads_converted++;
    if (l.score === null) day.leads_unscored++;
    else if (l.score >= 80) day.leads_hot++;
    else if (l.score >= 50) day.leads_warm++;
    else day.leads_cold++;
  }
  return days;
}

/** Sums oracle days matching a filter over their `user|agent|day` key parts. */
export function sumOracle(
  days: Map<string, OracleDay>,
  keep: (userId: number, agentId: number, day: string) => boolean,
): OracleDay {
  const total = emptyDay();
  for (const [key, d] of days) {
    const [u, a, day] = key.split('|');
    if (!keep(Number(u), Number(a), day as string)) continue;
    for (const k of Object.keys(total) as Array<keyof OracleDay>) {
      if (k === 'last_call_at') {
        if (d.last_call_at !== null) total.last_call_at = Math.max(total.last_call_at ?? 0, d.last_call_at);
      } else total[k] += d[k];
    }
  }
  return total;
}
