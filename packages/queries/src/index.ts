export type { DatabaseHandle, DatabaseOptions } from './db/connection.js';
export { createDatabase, DEFAULT_DATABASE_URL, pgTypes, poolConfig } from './db/connection.js';
export type {
  Agent,
  AgentAnalyticsRow,
  AgentAnalyticsTable,
  AgentStatus,
  AgentsTable,
  Call,
  CallStatus,
  CallsTable,
  CallUpdate,
  Database,
  Lead,
  LeadStatus,
  LeadsTable,
  LeadUpdate,
  NewAgent,
  NewCall,
  NewLead,
  User,
  UsersTable,
  WebhookDeliveriesTable,
} from './schema/database.js';
export { AGENT_STATUSES, CALL_STATUSES, LEAD_STATUSES } from './schema/database.js';
export { migrateToLatest, migrations } from './schema/migrate.js';
export {
  DEFAULT_SEED,
  hashApiKey,
  SEED_ANCHOR,
  SEED_DAYS,
  SEED_SCALES,
  seedDatabase,
  tableChecksums,
} from './seed/index.js';
export type { SeedManifest, SeedOptions, SeedScale, SeedScaleSpec, TableChecksums } from './seed/index.js';
