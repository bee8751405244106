import { type DatabaseHandle, dayWindow, naiveQueries, type RangeName } from '@perfkit/queries';

type Db = DatabaseHandle['db'];

/*
 * The naive app's query sequences (examples/express-app, MODE=naive), one
 * awaited query after another, rows fetched as it does; the JavaScript
 * aggregation after them is left out, so these figures flatter naive.
 */

/** Overview: the agents, then each agent's calls and leads of the range. */
export async function naiveOverviewQueries(db: Db, userId: number, range: RangeName, now: Date) {
  const window = dayWindow(range, now);
  const agents = await naiveQueries.agentsOfUser(db, { userId }).execute();
  for (const agent of agents) {
    await naiveQueries.callsOfAgentInRange(db, { agentId: agent.id, ...window }).execute();
    await naiveQueries.leadsOfAgentInRange(db, { agentId: agent.id, ...window }).execute();
  }
}

/** Analytics: the same per-agent loop over the analytics range. */
export const naiveAnalyticsQueries = naiveOverviewQueries;

/** Agents list: the count, the page, then each agent's calls and leads of all time. */
export async function naiveAgentsQueries(db: Db, userId: number, limit: number) {
  await naiveQueries.agentCount(db, { userId }).execute();
  const agents = await naiveQueries.agentsOfUser(db, { userId }).limit(limit).execute();
  for (const agent of agents) {
    await naiveQueries.callsOfAgent(db, { agentId: agent.id }).execute();
    await naiveQueries.leadsOfAgent(db, { agentId: agent.id }).execute();
  }
}
