import { naiveAgent, naiveAgentsList } from '../agents/naive-agents.js';
import { naiveAnalytics } from '../dashboard/naive-analytics.js';
import { naiveOverview } from '../dashboard/naive-overview.js';
import type { DataSource } from './data-source.js';

/**
 * The "before": N+1 queries over raw rows, aggregation in JavaScript,
 * ElevenLabs configs fetched one by one, no cache.
 */
export const naiveMode: DataSource = {
  overview: naiveOverview,
  analytics: naiveAnalytics,
  agentsList: naiveAgentsList,
  agent: naiveAgent,
};
