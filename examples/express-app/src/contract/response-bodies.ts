import { z } from 'zod';

const count = z.number().int().nonnegative();
const id = z.number().int().positive();
const ratio = z.number().min(0).max(1);
const seconds = z.number().nonnegative();
const day = z.iso.date();
const timestamp = z.iso.datetime();
const range = z.enum(['7d', '30d', '90d']);
const callStatus = z.enum(['completed', 'failed', 'no_answer', 'busy', 'in_progress']);
const leadStatus = z.enum(['new', 'qualified', 'converted', 'lost']);
const agentStatus = z.enum(['active', 'paused', 'archived']);

/** The UTC days a response covers, both inclusive. */
export const periodSchema = z.strictObject({ from: day, to: day });

/** Every error the API sends: `{ error: { code, message } }`. */
export const errorBodySchema = z.strictObject({
  error: z.strictObject({ code: z.string().min(1), message: z.string() }),
});

/** KPIs of the overview over the range's calls and leads. */
export const kpisSchema = z.strictObject({
  totalCalls: count,
  completedCalls: count,
  failedCalls: count,
  successRate: ratio,
  avgDurationSec: seconds,
  totalCostCents: count,
  totalLeads: count,
  qualifiedLeads: count,
  conversionRate: ratio,
  activeAgents: count,
});

const callActivitySchema = z.strictObject({
  type: z.literal('call'),
  id,
  agentId: id,
  agentName: z.string(),
  status: callStatus,
  durationSeconds: count,
  costCents: count,
  createdAt: timestamp,
});

const leadActivitySchema = z.strictObject({
  type: z.literal('lead'),
  id,
  agentId: id,
  agentName: z.string(),
  name: z.string(),
  status: leadStatus,
  score: z.number().int().min(0).max(100).nullable(),
  createdAt: timestamp,
});

/** One item of `recentActivity`: a call or a lead. */
export const activityItemSchema = z.discriminatedUnion('type', [callActivitySchema, leadActivitySchema]);

/**
 * Body of `GET /api/dashboard/overview`.
 *
 * @example
 * overviewBodySchema.parse(await response.json());
 */
export const overviewBodySchema = z.strictObject({
  range,
  period: periodSchema,
  kpis: kpisSchema,
  recentActivity: z.array(activityItemSchema).max(5),
});

/** One agent's line in `agentPerformance`, over the range. */
export const agentPerformanceSchema = z.strictObject({
  agentId: id,
  name: z.string(),
  status: agentStatus,
  totalCalls: count,
  completedCalls: count,
  successRate: ratio,
  avgDurationSec: seconds,
  totalLeads: count,
  convertedLeads: count,
  conversionRate: ratio,
});

/**
 * Body of `GET /api/dashboard/analytics`.
 *
 * @example
 * analyticsBodySchema.parse(await response.json()).callsOverTime.length; // 30 for range=30d&bucket=day
 */
export const analyticsBodySchema = z.strictObject({
  range,
  bucket: z.enum(['day', 'week']),
  period: periodSchema,
  callsOverTime: z.array(z.strictObject({ bucketStart: day, total: count, completed: count, failed: count })),
  leadsOverTime: z.array(
    z.strictObject({ bucketStart: day, total: count, qualified: count, converted: count }),
  ),
  leadQuality: z.strictObject({ hot: count, warm: count, cold: count, unscored: count }),
  agentPerformance: z.array(agentPerformanceSchema).max(10),
});

/** The part of an ElevenLabs agent's configuration a dashboard shows. */
export const agentConfigSchema = z.strictObject({
  name: z.string().nullable(),
  firstMessage: z.string().nullable(),
  language: z.string().nullable(),
  prompt: z.string().nullable(),
  llm: z.string().nullable(),
  temperature: z.number().nullable(),
  voiceId: z.string().nullable(),
  ttsModelId: z.string().nullable(),
});

/**
 * Why `config` is what it is: `fresh` (just fetched), `stale` (the last known
 * config, a refresh is due), `pending` (not fetched yet, a fetch is running),
 * `unavailable` (ElevenLabs failed and nothing is known).
 */
export const configStatusSchema = z.enum(['fresh', 'stale', 'pending', 'unavailable']);

/** An agent with its all-time stats and its ElevenLabs config. */
export const agentViewSchema = z.strictObject({
  id,
  name: z.string(),
  status: agentStatus,
  elevenlabsAgentId: z.string(),
  createdAt: timestamp,
  stats: z.strictObject({
    totalCalls: count,
    completedCalls: count,
    successRate: ratio,
    totalLeads: count,
    avgDurationSec: seconds,
    lastCallAt: timestamp.nullable(),
  }),
  config: agentConfigSchema.nullable(),
  configStatus: configStatusSchema,
});

/**
 * Body of `GET /api/agents`.
 *
 * @example
 * const page = agentsListBodySchema.parse(await response.json());
 * if (page.nextCursor) await fetch(`/api/agents?cursor=${page.nextCursor}`);
 */
export const agentsListBodySchema = z.strictObject({
  agents: z.array(agentViewSchema).max(100),
  nextCursor: z.string().nullable(),
  total: count,
});

/** Body of `GET /api/agents/:id`. */
export const agentBodySchema = z.strictObject({ agent: agentViewSchema });

export type ErrorBody = z.infer<typeof errorBodySchema>;
export type Kpis = z.infer<typeof kpisSchema>;
export type ActivityItem = z.infer<typeof activityItemSchema>;
export type OverviewBody = z.infer<typeof overviewBodySchema>;
export type AgentPerformance = z.infer<typeof agentPerformanceSchema>;
export type AnalyticsBody = z.infer<typeof analyticsBodySchema>;
export type AgentConfig = z.infer<typeof agentConfigSchema>;
export type ConfigStatus = z.infer<typeof configStatusSchema>;
export type AgentView = z.infer<typeof agentViewSchema>;
export type AgentsListBody = z.infer<typeof agentsListBodySchema>;
export type AgentBody = z.infer<typeof agentBodySchema>;
