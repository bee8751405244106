import { type Kysely, type RawBuilder, sql } from 'kysely';
import { countAgents, type TenantCountCache } from '../counts/tenant-counts.js';
import { prepared } from '../db/prepared-statements.js';
import { InvalidQueryParamsError } from '../errors.js';
import type { AgentStatus, Database } from '../schema/database.js';
import { type AgentStatsRow, agentStatsCtes, agentStatsQuery, emptyAgentStats } from './agent-stats-query.js';
import { AGENT_SORT_KEY_FORMAT, type AgentSortKey, encodeAgentsCursor } from './agents-cursor.js';

/** An agent row of the list, with its sort key. */
export interface AgentListRow {
  id: number;
  userId: number;
  name: string;
  status: AgentStatus;
  elevenlabsAgentId: string;
  createdAt: Date;
  updatedAt: Date;
  /** `created_at` with microseconds, for the cursor. */
  sortKey: string;
  /** The tenant's agent count, when the query was asked for it; else `null`. */
  total: number | null;
}

/** Parameters of {@link agentsPageQuery}. */
export interface AgentsPageParams {
  userId: number;
  /** Rows to return; the query reads one more to know whether a next page exists. */
  limit: number;
  /** Start after this row (from the previous page's cursor). Default: the newest. */
  after?: AgentSortKey;
  /** Also count the tenant's agents in the same statement. Default: `true`. */
  withTotal?: boolean;
}

/**
 * A page of the tenant's agents, newest first, by keyset on
 * `(created_at, id)` through the `(user_id, created_at, id)` index, plus one
 * row to detect the next page.
 *
 * @example
 * const rows = await agentsPageQuery(db, { userId: 1, limit: 20 }).execute(db);
 */
export function agentsPageQuery(_db: Kysely<Database>, params: AgentsPageParams): RawBuilder<AgentListRow> {
  const after = params.after
    ? sql`AND (created_at, id) < (${params.after.createdAt}::timestamptz, ${params.after.id}::bigint)`
    : sql``;
  const total =
    params.withTotal === false
      ? sql`NULL::bigint`
      : sql`(SELECT count(*) FROM agents WHERE user_id = ${params.userId})`;
  return sql<AgentListRow>`
    SELECT id, user_id AS "userId", name, status, elevenlabs_agent_id AS "elevenlabsAgentId",
      created_at AS "createdAt", updated_at AS "updatedAt",
      to_char(created_at AT TIME ZONE 'UTC', ${AGENT_SORT_KEY_FORMAT}) AS "sortKey", ${total} AS total
    FROM agents
    WHERE user_id = ${params.userId} ${after}
    ORDER BY created_at DESC, id DESC
    LIMIT ${params.limit + 1}`;
}

/** A page row with its agent's all-time stats (zeros and `null` without rows). */
export interface AgentPageStatsRow extends AgentListRow {
  totalCalls: number;
  completedCalls: number;
  completedDurationSeconds: number;
  totalLeads: number;
  lastCallAt: Date | null;
}

/**
 * A page of agents and their all-time stats in one statement: the page is a
 * CTE and the stats read the pre-aggregates of exactly the page's agents.
 * What {@link loadAgentsPage} runs.
 *
 * @example
 * const rows = await agentsPageWithStatsQuery(db, { userId: 1, limit: 50 }).execute(db);
 */
export function agentsPageWithStatsQuery(
  db: Kysely<Database>,
  params: AgentsPageParams,
): RawBuilder<AgentPageStatsRow> {
  const scope = { userId: params.userId, agentIds: sql`SELECT id FROM page` };
  return sql<AgentPageStatsRow>`
    WITH page AS (${agentsPageQuery(db, params)}), ${agentStatsCtes(scope)}
    SELECT p.*, coalesce(s."totalCalls", 0) AS "totalCalls", coalesce(s."completedCalls", 0) AS "completedCalls",
      coalesce(s."completedDurationSeconds", 0) AS "completedDurationSeconds",
      coalesce(s."totalLeads", 0) AS "totalLeads", s."lastCallAt"
    FROM page p LEFT JOIN agent_stats s ON s."agentId" = p.id
    ORDER BY p."createdAt" DESC, p.id DESC`;
}

/** An agent with its all-time stats. */
export interface AgentWithStats extends Omit<AgentListRow, 'sortKey' | 'total'> {
  stats: AgentStatsRow;
}

/** One page of the agents list. */
export interface AgentsPage {
  agents: AgentWithStats[];
  /** Cursor of the next page, or `null` on the last. */
  nextCursor: string | null;
  /** The tenant's exact agent count. */
  total: number;
}

/** Options of {@link loadAgentsPage}. */
export interface LoadAgentsPageOptions {
  /** Where exact per-tenant totals are cached. Default: none (counted in the page's statement; past the end, apart). */
  counts?: TenantCountCache;
}

function toAgent(row: AgentPageStatsRow): AgentWithStats {
  const {
    sortKey: _k,
    total: _t,
    totalCalls,
    completedCalls,
    completedDurationSeconds,
    totalLeads,
    lastCallAt,
    ...agent
  } = row;
  return {
    ...agent,
    stats: { agentId: row.id, totalCalls, completedCalls, completedDurationSeconds, totalLeads, lastCallAt },
  };
}

/**
 * The agents list's data in one round trip whatever the page size: the page,
 * its agents' all-time stats and (unless cached) the exact total, in one
 * statement ({@link agentsPageWithStatsQuery}).
 *
 * @example
 * const page = await loadAgentsPage(db, { userId, limit: 20 });
 * const next = await loadAgentsPage(db, { userId, limit: 20, after: decodeAgentsCursor(page.nextCursor!) });
 */
export async function loadAgentsPage(
  db: Kysely<Database>,
  params: Omit<AgentsPageParams, 'withTotal'>,
  options: LoadAgentsPageOptions = {},
): Promise<AgentsPage> {
  if (!Number.isInteger(params.limit) || params.limit < 1 || params.limit > 100) {
    throw new InvalidQueryParamsError(
      'limit',
      `limit must be an integer 1..100, got ${String(params.limit)}`,
    );
  }
  const cachedTotal = options.counts?.peek(params.userId);
  const countsMark = options.counts?.mark();
  const { rows } = await prepared(
    'agents_page',
    agentsPageWithStatsQuery(db, { ...params, withTotal: cachedTotal === undefined }),
  ).execute(db);
  const page = rows.slice(0, params.limit);
  let total = cachedTotal ?? rows[0]?.total ?? undefined;
  if (total === undefined) {
    // No row at all (a cursor past the end): the statement had nowhere to put the count.
    total = options.counts
      ? await options.counts.agents(db, params.userId)
      : await countAgents(db, params.userId);
  } else if (cachedTotal === undefined) {
    options.counts?.set(params.userId, total, countsMark);
  }
  const last = page.at(-1);
  return {
    agents: page.map(toAgent),
    nextCursor:
      rows.length > params.limit && last
        ? encodeAgentsCursor({ createdAt: last.sortKey, id: last.id })
        : null,
    total,
  };
}

/**
 * One agent of the tenant with its all-time stats, or `null` when the tenant
 * has no such agent (another tenant's agent included): two round trips.
 *
 * @example
 * const agent = await loadAgent(db, { userId, agentId: 42 }); // null → 404
 */
export async function loadAgent(
  db: Kysely<Database>,
  params: { userId: number; agentId: number },
): Promise<AgentWithStats | null> {
  const row = await db
    .selectFrom('agents')
    .select([
      'id',
      'user_id as userId',
      'name',
      'status',
      'elevenlabs_agent_id as elevenlabsAgentId',
      'created_at as createdAt',
      'updated_at as updatedAt',
    ])
    .where('id', '=', params.agentId)
    .where('user_id', '=', params.userId)
    .executeTakeFirst();
  if (!row) return null;
  const { rows } = await prepared(
    'agent_stats',
    agentStatsQuery(db, { userId: params.userId, agentIds: [row.id] }),
  ).execute(db);
  return { ...row, stats: rows[0] ?? emptyAgentStats(row.id) };
}
