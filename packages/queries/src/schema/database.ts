import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';

/** A timestamp column: read as a `Date`, written as a `Date` or an ISO string. */
type Timestamp = ColumnType<Date, Date | string, Date | string>;
/** A timestamp with a database default. */
type TimestampDefault = ColumnType<Date, Date | string | undefined, Date | string>;

export type AgentStatus = 'active' | 'paused' | 'archived';
export type CallStatus = 'completed' | 'failed' | 'no_answer' | 'busy' | 'in_progress';
export type LeadStatus = 'new' | 'qualified' | 'converted' | 'lost';

export const AGENT_STATUSES: readonly AgentStatus[] = ['active', 'paused', 'archived'];
export const CALL_STATUSES: readonly CallStatus[] = [
  'completed',
  'failed',
  'no_answer',
  'busy',
  'in_progress',
];
export const LEAD_STATUSES: readonly LeadStatus[] = ['new', 'qualified', 'converted', 'lost'];

export interface UsersTable {
  id: Generated<number>;
  email: string;
  /** sha256 hex of the API key; the key itself is never stored. */
  api_key_hash: string;
  created_at: TimestampDefault;
}

export interface AgentsTable {
  id: Generated<number>;
  user_id: number;
  name: string;
  elevenlabs_agent_id: string;
  status: ColumnType<AgentStatus, AgentStatus | undefined, AgentStatus>;
  created_at: TimestampDefault;
  updated_at: TimestampDefault;
}

export interface CallsTable {
  id: Generated<number>;
  user_id: number;
  agent_id: number;
  status: CallStatus;
  duration_seconds: ColumnType<number, number | undefined, number>;
  cost_cents: ColumnType<number, number | undefined, number>;
  created_at: TimestampDefault;
  ended_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  updated_at: TimestampDefault;
}

export interface LeadsTable {
  id: Generated<number>;
  user_id: number;
  agent_id: number;
  call_id: ColumnType<number | null, number | null | undefined, number | null>;
  name: string;
  phone: string;
  /** 0..100, or null when not scored yet. */
  score: ColumnType<number | null, number | null | undefined, number | null>;
  status: ColumnType<LeadStatus, LeadStatus | undefined, LeadStatus>;
  created_at: TimestampDefault;
  updated_at: TimestampDefault;
}

/** The additive daily metrics that `agent_analytics` and `tenant_daily` share. */
export interface DailyMetricColumns {
  calls_total: number;
  calls_completed: number;
  calls_failed: number;
  duration_completed_seconds: number;
  cost_cents: number;
  leads_total: number;
  leads_qualified: number;
  leads_converted: number;
  leads_hot: number;
  leads_warm: number;
  leads_cold: number;
  leads_unscored: number;
}

/** Daily pre-aggregates per agent; `day` is a UTC date read as `YYYY-MM-DD`. */
export interface AgentAnalyticsTable extends DailyMetricColumns {
  agent_id: number;
  user_id: number;
  day: ColumnType<string, string, string>;
  last_call_at: Timestamp | null;
  refreshed_at: TimestampDefault;
}

/** All-time totals per agent: the sum of its `agent_analytics` rows, kept by the rollup. */
export interface AgentTotalsTable {
  agent_id: number;
  user_id: number;
  calls_total: number;
  calls_completed: number;
  duration_completed_seconds: number;
  leads_total: number;
  /** The newest `last_call_at` of the agent's rollup rows. */
  last_call_at: Timestamp | null;
}

/**
 * Per-tenant daily sums of `agent_analytics`, kept equal to them by
 * statement triggers on that table; `day` is a UTC date read as `YYYY-MM-DD`.
 */
export interface TenantDailyTable extends DailyMetricColumns {
  user_id: number;
  day: ColumnType<string, string, string>;
}

/**
 * `(agent_id, day)` pairs whose raw rows changed since the last rollup, kept
 * by row triggers on calls and leads. Reads recompute these days from raw rows.
 */
export interface AnalyticsDirtyTable {
  agent_id: number;
  user_id: number;
  day: ColumnType<string, string, string>;
  marked_at: TimestampDefault;
}

/** One row per applied webhook delivery, so a retried delivery is applied once. */
export interface WebhookDeliveriesTable {
  user_id: number;
  idempotency_key: string;
  /** sha256 of the request body: the same key with another body is a conflict. */
  request_hash: string;
  response_status: number;
  response_body: ColumnType<unknown, string, string>;
  created_at: TimestampDefault;
}

export interface Database {
  users: UsersTable;
  agents: AgentsTable;
  calls: CallsTable;
  leads: LeadsTable;
  agent_analytics: AgentAnalyticsTable;
  agent_totals: AgentTotalsTable;
  tenant_daily: TenantDailyTable;
  analytics_dirty: AnalyticsDirtyTable;
  webhook_deliveries: WebhookDeliveriesTable;
}

export type User = Selectable<UsersTable>;
export type Agent = Selectable<AgentsTable>;
export type NewAgent = Insertable<AgentsTable>;
export type Call = Selectable<CallsTable>;
export type NewCall = Insertable<CallsTable>;
export type CallUpdate = Updateable<CallsTable>;
export type Lead = Selectable<LeadsTable>;
export type NewLead = Insertable<LeadsTable>;
export type LeadUpdate = Updateable<LeadsTable>;
export type AgentAnalyticsRow = Selectable<AgentAnalyticsTable>;
