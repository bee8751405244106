import { type Compilable, type Kysely, type RawBuilder, sql } from 'kysely';
import { agentStatsQuery } from '../agents/agent-stats-query.js';
import { agentsPageQuery, agentsPageWithStatsQuery } from '../agents/agents-page-query.js';
import {
  agentPerformanceQuery,
  analyticsQuery,
  dailySeriesQuery,
  leadQualityQuery,
} from '../analytics/analytics-query.js';
import { dayWindow } from '../analytics/date-window.js';
import { overviewCountsQuery, recentActivityQuery } from '../analytics/overview-query.js';
import type { Database } from '../schema/database.js';
import { naiveQueries } from './naive-queries.js';

/** One hot query, compiled with sample parameters. */
export interface CatalogQuery {
  /** Stable name, e.g. `overview.counts` or `naive.calls-of-agent-in-range`. */
  name: string;
  description: string;
  /** `optimized`: what perfkit runs; `naive`: the shape it replaces (run once per agent). */
  kind: 'optimized' | 'naive';
  sql: string;
  parameters: readonly unknown[];
}

/** Options of {@link catalogQueries}. */
export interface CatalogOptions {
  /** Tenant to take sample parameters from. Default: the one with the most calls. */
  userId?: number;
  /** The "now" of the sample ranges. Default: the tenant's newest rolled-up day (its end). */
  now?: Date;
}

interface Sample {
  userId: number;
  agentId: number;
  agentIds: number[];
  now: Date;
}

async function findSample(db: Kysely<Database>, options: CatalogOptions): Promise<Sample> {
  // The rollup answers "who has the most calls" from its covering index; raw calls are the fallback.
  const heaviest =
    options.userId ??
    (
      await sql<{ user_id: number }>`
        SELECT user_id FROM (
          (SELECT user_id, sum(calls_total) AS n FROM agent_analytics GROUP BY user_id ORDER BY n DESC, user_id LIMIT 1)
          UNION ALL
          (SELECT user_id, count(*) FROM calls GROUP BY user_id ORDER BY count(*) DESC, user_id LIMIT 1)
        ) t LIMIT 1`.execute(db)
    ).rows[0]?.user_id;
  if (heaviest === undefined) throw new Error('the database has no calls to take sample parameters from');
  const agents = await sql<{ agent_id: number }>`
    SELECT g.id AS agent_id FROM agents g
    LEFT JOIN LATERAL (SELECT sum(calls_total) AS n FROM agent_analytics a WHERE a.agent_id = g.id) s ON true
    WHERE g.user_id = ${heaviest}
    ORDER BY s.n DESC NULLS LAST, g.id LIMIT 50`.execute(db);
  const lastDay = await sql<{ day: string | null }>`
    SELECT max(day) AS day FROM agent_analytics WHERE user_id = ${heaviest}`.execute(db);
  const day = lastDay.rows[0]?.day;
  const now = options.now ?? (day ? new Date(`${day}T23:59:59Z`) : new Date());
  const agentIds = agents.rows.map((r) => r.agent_id);
  return { userId: heaviest, agentId: agentIds[0] ?? 0, agentIds, now };
}

/**
 * Every hot query — perfkit's batched ones and the naive shapes they replace —
 * compiled with sample parameters from the heaviest tenant, for `perf-cli
 * audit` to EXPLAIN.
 *
 * @example
 * for (const q of await catalogQueries(db)) {
 *   const plan = await pool.query(`EXPLAIN (FORMAT JSON) ${q.sql}`, [...q.parameters]);
 * }
 */
export async function catalogQueries(
  db: Kysely<Database>,
  options: CatalogOptions = {},
): Promise<CatalogQuery[]> {
  const s = await findSample(db, options);
  const w90 = dayWindow('90d', s.now);
  const w30 = dayWindow('30d', s.now);
  const days90 = { userId: s.userId, fromDay: w90.fromDay, toDay: w90.toDay };
  const days30 = { userId: s.userId, fromDay: w30.fromDay, toDay: w30.toDay };
  const range30 = { start: w30.start, end: w30.end };
  // Raw SQL builders compile against a Kysely instance; query builders compile on their own.
  const raw = (query: RawBuilder<unknown>): Compilable => ({ compile: () => query.compile(db) });
  const entries: Array<[string, CatalogQuery['kind'], string, Compilable]> = [
    [
      'overview.counts',
      'optimized',
      'Overview KPIs over 30 days from the pre-aggregates, dirty days from raw rows',
      raw(overviewCountsQuery(db, days30)),
    ],
    [
      'overview.recent-activity',
      'optimized',
      'The 5 newest calls and leads of the range, merged',
      raw(recentActivityQuery(db, { userId: s.userId, ...range30 })),
    ],
    [
      'analytics.combined',
      'optimized',
      'Daily series and top 10 agents over 90 days in one statement (what loadAnalytics runs)',
      raw(analyticsQuery(db, days90)),
    ],
    [
      'analytics.daily-series',
      'optimized',
      'Calls and leads per day over 90 days (charts and lead quality)',
      raw(dailySeriesQuery(db, days90)),
    ],
    [
      'analytics.lead-quality',
      'optimized',
      'Lead quality over 90 days from the pre-aggregated CASE counts',
      raw(leadQualityQuery(db, days90)),
    ],
    [
      'analytics.agent-performance',
      'optimized',
      'Top 10 agents by calls over 90 days',
      raw(agentPerformanceQuery(db, days90)),
    ],
    [
      'agents.page-with-stats',
      'optimized',
      'A page of 50 agents with their all-time stats and the total in one statement (what loadAgentsPage runs)',
      raw(agentsPageWithStatsQuery(db, { userId: s.userId, limit: 50 })),
    ],
    [
      'agents.page',
      'optimized',
      'A page of 50 agents, newest first, with the exact total',
      raw(agentsPageQuery(db, { userId: s.userId, limit: 50 })),
    ],
    [
      'agents.stats',
      'optimized',
      'All-time stats of a page of 50 agents in one query',
      raw(agentStatsQuery(db, { userId: s.userId, agentIds: s.agentIds })),
    ],
    [
      'naive.agents-of-user',
      'naive',
      'The tenant’s agents, before the per-agent loop',
      naiveQueries.agentsOfUser(db, s),
    ],
    [
      'naive.calls-of-agent-in-range',
      'naive',
      'One agent’s raw calls over 30 days, once per agent',
      naiveQueries.callsOfAgentInRange(db, { agentId: s.agentId, ...range30 }),
    ],
    [
      'naive.leads-of-agent-in-range',
      'naive',
      'One agent’s raw leads over 30 days, once per agent',
      naiveQueries.leadsOfAgentInRange(db, { agentId: s.agentId, ...range30 }),
    ],
    [
      'naive.calls-of-agent',
      'naive',
      'One agent’s calls of all time, once per listed agent',
      naiveQueries.callsOfAgent(db, s),
    ],
    [
      'naive.leads-of-agent',
      'naive',
      'One agent’s leads of all time, once per listed agent',
      naiveQueries.leadsOfAgent(db, s),
    ],
    [
      'naive.agent-count',
      'naive',
      'The tenant’s agent count on every request',
      naiveQueries.agentCount(db, s),
    ],
    [
      'naive.agents-page-of-user',
      'naive',
      'A page of the tenant’s agents, newest first (keyset)',
      naiveQueries.agentsPageOfUser(db, { userId: s.userId, limit: 50 }),
    ],
    [
      'naive.agents-page-of-user-after',
      'naive',
      'The next page of the tenant’s agents, after a cursor',
      naiveQueries.agentsPageOfUser(db, {
        userId: s.userId,
        limit: 50,
        after: { createdAt: s.now.toISOString().replace(/Z$/, '000Z'), id: Number.MAX_SAFE_INTEGER },
      }),
    ],
    ['naive.agent-of-user', 'naive', 'One of the tenant’s agents (detail)', naiveQueries.agentOfUser(db, s)],
  ];
  return entries.map(([name, kind, description, query]) => {
    const compiled = query.compile();
    return { name, kind, description, sql: compiled.sql, parameters: compiled.parameters };
  });
}
