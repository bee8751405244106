import { type Kysely, sql } from 'kysely';
import type { Database } from '../schema/database.js';
import { hashApiKey, type PlannedAgent, planSeed } from './seed-plan.js';
import { DEFAULT_SEED, SEED_ANCHOR, SEED_SCALES, type SeedScale } from './seed-scales.js';

export interface SeedOptions {
  /** Dataset size. */
  scale: SeedScale;
  /** PRNG seed; the same seed gives identical rows. Default: 42. */
  seed?: number;
}

export interface SeedManifest {
  scale: SeedScale;
  seed: number;
  /** The data's "now" (ISO); pass it to the app as NOW. */
  anchor: string;
  heavyUser: { id: number; email: string; apiKey: string };
  users: Array<{ id: number; email: string; apiKey: string; agents: number; calls: number }>;
  counts: { users: number; agents: number; calls: number; leads: number };
  durationMs: number;
}

/**
 * Replaces the platform's rows with deterministic seed data. Users and agents
 * are planned in JS; calls and leads are generated server-side with
 * `generate_series` and a keyed hash (`hashint8extended`), so `large` (5M calls)
 * loads in well under a minute and identical on every run. Inserted in
 * `created_at` order, like a production table. Leaves `agent_analytics` empty:
 * run the rollup afterwards.
 *
 * @example
 * const manifest = await seedDatabase(db, { scale: 'tiny' });
 * console.log(manifest.heavyUser.apiKey);
 */
export async function seedDatabase(db: Kysely<Database>, options: SeedOptions): Promise<SeedManifest> {
  const spec = SEED_SCALES[options.scale];
  if (!spec)
    throw new Error(`unknown seed scale "${options.scale}": use ${Object.keys(SEED_SCALES).join(', ')}`);
  const seed = options.seed ?? DEFAULT_SEED;
  const started = performance.now();
  const plan = planSeed(spec, seed);

  // One pinned connection: the session settings below must hold for every statement.
  const counts = await db.connection().execute(async (conn) => {
    await sql`SET work_mem = '256MB'`.execute(conn);
    await disableTriggersIfAllowed(conn);
    try {
      await sql`TRUNCATE users, agents, calls, leads, agent_analytics, webhook_deliveries RESTART IDENTITY CASCADE`.execute(
        conn,
      );
      await insertUsersAndAgents(conn, plan.users, plan.agents);
      await insertCalls(conn, plan.agents, seed, plan.dayQuantiles);
      await insertLeads(conn, seed);
      await sql`ANALYZE users, agents, calls, leads`.execute(conn);
    } finally {
      await sql`RESET session_replication_role`.execute(conn);
      await sql`RESET work_mem`.execute(conn);
    }
    const row = await sql<{ calls: number; leads: number }>`
      SELECT (SELECT count(*) FROM calls) AS calls, (SELECT count(*) FROM leads) AS leads`.execute(conn);
    return row.rows[0] as { calls: number; leads: number };
  });

  const heavy = plan.users[0];
  if (!heavy) throw new Error('seed plan has no users');
  return {
    scale: options.scale,
    seed,
    anchor: SEED_ANCHOR.toISOString(),
    heavyUser: { id: heavy.id, email: heavy.email, apiKey: heavy.apiKey },
    users: plan.users.map((u) => {
      const own = plan.agents.filter((a) => a.userId === u.id);
      return {
        id: u.id,
        email: u.email,
        apiKey: u.apiKey,
        agents: own.length,
        calls: own.reduce((n, a) => n + a.calls, 0),
      };
    }),
    counts: {
      users: plan.users.length,
      agents: plan.agents.length,
      calls: counts.calls,
      leads: counts.leads,
    },
    durationMs: Math.round(performance.now() - started),
  };
}

/**
 * Bulk loading skips foreign-key checks and change triggers when the role may
 * (superuser); otherwise they run and the load is just slower.
 */
async function disableTriggersIfAllowed(conn: Kysely<Database>): Promise<void> {
  try {
    await sql`SET session_replication_role = replica`.execute(conn);
  } catch {
    // Not a superuser: keep checks on.
  }
}

async function insertUsersAndAgents(
  conn: Kysely<Database>,
  users: ReturnType<typeof planSeed>['users'],
  agents: PlannedAgent[],
): Promise<void> {
  await sql`
    INSERT INTO users (id, email, api_key_hash, created_at)
    SELECT * FROM unnest(${users.map((u) => u.id)}::bigint[], ${users.map((u) => u.email)}::text[],
      ${users.map((u) => hashApiKey(u.apiKey))}::text[], ${users.map((u) => u.createdAt.toISOString())}::timestamptz[])`.execute(
    conn,
  );
  await sql`
    INSERT INTO agents (id, user_id, name, elevenlabs_agent_id, status, created_at, updated_at)
    SELECT id, user_id, name, el_id, status, created_at, created_at
    FROM unnest(${agents.map((a) => a.id)}::bigint[], ${agents.map((a) => a.userId)}::bigint[],
      ${agents.map((a) => a.name)}::text[], ${agents.map((a) => a.elevenlabsAgentId)}::text[],
      ${agents.map((a) => a.status)}::text[], ${agents.map((a) => a.createdAt.toISOString())}::timestamptz[])
      AS t(id, user_id, name, el_id, status, created_at)`.execute(conn);
  await sql`SELECT setval(pg_get_serial_sequence('users', 'id'), ${users.length})`.execute(conn);
  await sql`SELECT setval(pg_get_serial_sequence('agents', 'id'), ${agents.length})`.execute(conn);
}

/**
 * `u(k, salt)`: a uniform number in [0, 1) keyed by row and column, the same
 * on every run; columns use different salts so they are independent.
 */
function uniform(key: string, seed: number, salt: number) {
  return sql.raw(`((hashint8extended(${key}, ${seed * 64 + salt}) & 2147483647)::float8 / 2147483648.0)`);
}

async function insertCalls(
  conn: Kysely<Database>,
  agents: PlannedAgent[],
  seed: number,
  dayQuantiles: number[],
): Promise<void> {
  const withCalls = agents.filter((a) => a.calls > 0);
  let first = 0;
  const firstKeys = withCalls.map((a) => {
    const k = first;
    first += a.calls;
    return k;
  });
  const anchor = SEED_ANCHOR.toISOString();
  const u = (salt: number) => uniform('k', seed, salt);
  await sql`
    INSERT INTO calls (id, user_id, agent_id, status, duration_seconds, cost_cents, created_at, ended_at, updated_at)
    WITH plan AS (
      SELECT * FROM unnest(${withCalls.map((a) => a.id)}::bigint[], ${withCalls.map((a) => a.userId)}::bigint[],
        ${withCalls.map((a) => a.calls)}::int[], ${firstKeys}::bigint[]) AS p(agent_id, user_id, n, first_k)
    ), keyed AS (
      SELECT p.agent_id, p.user_id, p.first_k + g AS k FROM plan p CROSS JOIN LATERAL generate_series(0, p.n - 1) g
    ), drawn AS (
      SELECT agent_id, user_id, k,
        (${dayQuantiles}::int[])[1 + floor(${u(1)} * ${dayQuantiles.length})::int] AS day_offset,
        ${u(2)} AS u_time, ${u(3)} AS u_hours, ${u(4)} AS u_status, ${u(5)} AS u_d1, ${u(6)} AS u_d2
      FROM keyed
    ), timed AS (
      SELECT *,
        date_trunc('day', ${anchor}::timestamptz) - make_interval(days => day_offset) + make_interval(secs =>
          CASE WHEN day_offset = 0 THEN floor(u_time * extract(epoch FROM ${anchor}::timestamptz - date_trunc('day', ${anchor}::timestamptz)))
               WHEN u_hours < 0.85 THEN floor(28800 + u_time * 43200)
               ELSE floor(u_time * 86400) END) AS created_at
      FROM drawn
    ), statused AS (
      SELECT *,
        CASE WHEN created_at > ${anchor}::timestamptz - interval '15 minutes' THEN 'in_progress'
             WHEN u_status < 0.62 THEN 'completed' WHEN u_status < 0.77 THEN 'no_answer'
             WHEN u_status < 0.87 THEN 'busy' ELSE 'failed' END AS status
      FROM timed
    ), sized AS (
      SELECT *,
        CASE status
          WHEN 'completed' THEN greatest(5, least(3600, round(exp(ln(150) + 0.75
            * sqrt(-2 * ln(greatest(u_d1, 1e-12))) * cos(2 * pi() * u_d2)))))::int
          WHEN 'failed' THEN floor(u_d1 * 20)::int
          ELSE 0 END AS duration_seconds
      FROM statused
    )
    SELECT row_number() OVER (ORDER BY created_at, k), user_id, agent_id, status, duration_seconds,
      CASE status WHEN 'completed' THEN ceil(duration_seconds * 0.2)::int WHEN 'in_progress' THEN 0 ELSE 1 END,
      created_at,
      CASE WHEN status = 'in_progress' THEN NULL ELSE created_at + make_interval(secs => duration_seconds) END,
      CASE WHEN status = 'in_progress' THEN created_at ELSE created_at + make_interval(secs => duration_seconds) END
    FROM sized
    ORDER BY created_at, k`.execute(conn);
  await sql`SELECT setval(pg_get_serial_sequence('calls', 'id'), greatest((SELECT max(id) FROM calls), 1))`.execute(
    conn,
  );
}

const FIRST_NAMES = [
  'Ava',
  'Liam',
  'Mia',
  'Noah',
  'Zoe',
  'Omar',
  'Lena',
  'Ivan',
  'Sara',
  'Kenji',
  'Amara',
  'Diego',
];
const LAST_NAMES = [
  'Smith',
  'Garcia',
  'Chen',
  'Okafor',
  'Muller',
  'Rossi',
  'Kowalski',
  'Silva',
  'Haddad',
  'Kim',
];

/**
 * About a third of completed calls produce a lead (a fifth of all calls), and a
 * few unanswered calls produce one without a call link (a later inbound form).
 */
async function insertLeads(conn: Kysely<Database>, seed: number): Promise<void> {
  const anchor = SEED_ANCHOR.toISOString();
  const u = (salt: number) => uniform('c.id', seed, salt);
  const v = (salt: number) => uniform('l.call_key', seed, salt);
  await sql`
    INSERT INTO leads (id, user_id, agent_id, call_id, name, phone, score, status, created_at, updated_at)
    WITH sourced AS (
      SELECT c.id AS call_key, c.user_id, c.agent_id, c.id AS call_id,
        least(c.ended_at + make_interval(secs => floor(${u(10)} * 300)), ${anchor}::timestamptz) AS created_at
      FROM calls c WHERE c.status = 'completed' AND ${u(11)} < 0.34
      UNION ALL
      SELECT c.id, c.user_id, c.agent_id, NULL,
        least(c.created_at + interval '1 hour', ${anchor}::timestamptz)
      FROM calls c WHERE c.status = 'no_answer' AND ${u(11)} < 0.02
    ), scored AS (
      SELECT l.*,
        CASE WHEN ${v(12)} < 0.12 THEN NULL ELSE least(100, floor(100 * power(${v(13)}, 0.85)))::int END AS score,
        ${v(14)} AS u_status, ${v(15)} AS u_first, ${v(16)} AS u_last, ${v(17)} AS u_touch
      FROM sourced l
    ), statused AS (
      SELECT *,
        CASE
          WHEN score IS NULL THEN CASE WHEN u_status < 0.9 THEN 'new' ELSE 'lost' END
          WHEN score >= 80 THEN CASE WHEN u_status < 0.35 THEN 'converted' WHEN u_status < 0.75 THEN 'qualified'
                                     WHEN u_status < 0.85 THEN 'lost' ELSE 'new' END
          WHEN score >= 50 THEN CASE WHEN u_status < 0.1 THEN 'converted' WHEN u_status < 0.45 THEN 'qualified'
                                     WHEN u_status < 0.7 THEN 'lost' ELSE 'new' END
          ELSE CASE WHEN u_status < 0.02 THEN 'converted' WHEN u_status < 0.1 THEN 'qualified'
                    WHEN u_status < 0.6 THEN 'lost' ELSE 'new' END
        END AS status
      FROM scored
    )
    SELECT row_number() OVER (ORDER BY created_at, call_key), user_id, agent_id, call_id,
      (${FIRST_NAMES}::text[])[1 + floor(u_first * ${FIRST_NAMES.length})::int] || ' ' ||
        (${LAST_NAMES}::text[])[1 + floor(u_last * ${LAST_NAMES.length})::int],
      '+1555' || lpad((call_key % 10000000)::text, 7, '0'),
      score, status, created_at,
      CASE WHEN status = 'new' THEN created_at
           ELSE least(created_at + make_interval(secs => floor(u_touch * 604800)), ${anchor}::timestamptz) END
    FROM statused
    ORDER BY created_at, call_key`.execute(conn);
  await sql`SELECT setval(pg_get_serial_sequence('leads', 'id'), greatest((SELECT max(id) FROM leads), 1))`.execute(
    conn,
  );
}
