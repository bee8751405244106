import { type Kysely, type RawBuilder, sql } from 'kysely';
import { prepared } from '../db/prepared-statements.js';
import { InvalidOptionError } from '../errors.js';
import type { Database } from '../schema/database.js';

/** Platform-wide row counts, approximate. */
export interface ApproximateCounts {
  users: number;
  agents: number;
  calls: number;
  leads: number;
}

/**
 * Platform-wide row counts from planner statistics (`pg_class.reltuples`,
 * kept by ANALYZE and autovacuum): no scan, so a health endpoint can show
 * them on a table of millions (R4.5). A table never analyzed has no
 * estimate (`-1`); the function then counts it exactly, which is cheap since
 * only small or new tables are in that state.
 *
 * @example
 * const { calls } = await approximateCounts(db); // ≈ 5,000,000
 */
export async function approximateCounts(db: Kysely<Database>): Promise<ApproximateCounts> {
  const tables = ['users', 'agents', 'calls', 'leads'] as const;
  const { rows } = await sql<{ table: string; estimate: number }>`
    SELECT t.name AS table, c.reltuples::bigint AS estimate
    FROM unnest(${[...tables]}::text[]) AS t(name)
    LEFT JOIN pg_class c ON c.oid = to_regclass(t.name)`.execute(db);
  const counts = { users: 0, agents: 0, calls: 0, leads: 0 };
  for (const table of tables) {
    const estimate = rows.find((r) => r.table === table)?.estimate ?? -1;
    counts[table] =
      estimate >= 0
        ? estimate
        : Number(
            (
              await db
                .selectFrom(table)
                .select((eb) => eb.fn.countAll().as('n'))
                .executeTakeFirstOrThrow()
            ).n,
          );
  }
  return counts;
}

/**
 * The tenant's exact agent count (the agents list's `total`).
 *
 * @example
 * const [{ total }] = (await agentCountQuery(db, { userId: 1 }).execute(db)).rows;
 */
export function agentCountQuery(
  _db: Kysely<Database>,
  params: { userId: number },
): RawBuilder<{ total: number }> {
  return sql<{ total: number }>`SELECT count(*) AS total FROM agents WHERE user_id = ${params.userId}`;
}

/**
 * The tenant's exact agent count, counted now.
 *
 * @example
 * const total = await countAgents(db, userId);
 */
export async function countAgents(db: Kysely<Database>, userId: number): Promise<number> {
  const { rows } = await prepared('agent_count', agentCountQuery(db, { userId })).execute(db);
  return Number(rows[0]?.total ?? 0);
}

/** Options of {@link TenantCountCache}. */
export interface TenantCountCacheOptions {
  /** How long a count is served without asking the database, in ms. Default: 60,000. */
  ttlMs?: number;
  /** Tenants kept; the least recently set is dropped first. Default: 10,000. */
  maxEntries?: number;
  /** Clock, for tests. Default: `Date.now`. */
  now?: () => number;
}

/**
 * Exact per-tenant counts, cached in memory: a count is exact when computed
 * and stays so until the tenant's agents change, which `invalidate` (wired to
 * {@link listenForChanges}) handles; the TTL bounds the damage of a missed
 * notification. A count read from the database is stored only if its tenant
 * was not invalidated while it was read (`mark` before, `set(…, mark)` after):
 * the notification of a write the read did not see can arrive before the read
 * ends, and its count would otherwise stay stale for the whole TTL.
 *
 * @example
 * const counts = new TenantCountCache({ ttlMs: 60_000 });
 * const total = await counts.agents(db, userId);
 * counts.invalidate(userId); // on a change notification for that user
 */
export class TenantCountCache {
  readonly #ttlMs: number;
  readonly #maxEntries: number;
  readonly #now: () => number;
  readonly #entries = new Map<number, { value: number; at: number }>();
  // Invalidations are numbered. Each tenant's last one is kept (oldest first, at most maxEntries);
  // any read that began before one no longer kept (evicted, or a clear) counts as invalidated.
  #invalidations = 0;
  readonly #invalidatedAt = new Map<number, number>();
  #forgottenUpTo = 0;

  constructor(options: TenantCountCacheOptions = {}) {
    this.#ttlMs = options.ttlMs ?? 60_000;
    this.#maxEntries = options.maxEntries ?? 10_000;
    this.#now = options.now ?? Date.now;
    if (!(this.#ttlMs >= 0)) throw new InvalidOptionError('ttlMs', `must be >= 0, got ${this.#ttlMs}`);
    if (!(this.#maxEntries >= 1)) {
      throw new InvalidOptionError('maxEntries', `must be >= 1, got ${this.#maxEntries}`);
    }
  }

  /** The cached count, if fresh. */
  peek(userId: number): number | undefined {
    const entry = this.#entries.get(userId);
    if (!entry || this.#now() - entry.at >= this.#ttlMs) return undefined;
    return entry.value;
  }

  /** Where invalidations stand: take it before reading a count, and pass it to {@link set}. */
  mark(): number {
    return this.#invalidations;
  }

  /**
   * Stores a count computed elsewhere (e.g. in the same statement as a page); with the `mark` taken
   * before it was read, not if the tenant was invalidated since.
   */
  set(userId: number, value: number, readSince?: number): void {
    if (readSince !== undefined && this.#invalidatedSince(userId, readSince)) return;
    this.#entries.delete(userId);
    this.#entries.set(userId, { value, at: this.#now() });
    if (this.#entries.size > this.#maxEntries) {
      const oldest = this.#entries.keys().next().value;
      if (oldest !== undefined) this.#entries.delete(oldest);
    }
  }

  /** The tenant's agent count: cached, or counted and cached. */
  async agents(db: Kysely<Database>, userId: number): Promise<number> {
    const cached = this.peek(userId);
    if (cached !== undefined) return cached;
    const mark = this.mark();
    const total = await countAgents(db, userId);
    this.set(userId, total, mark);
    return total;
  }

  /** Forgets one tenant's count, and any count of it being read now. */
  invalidate(userId: number): void {
    this.#entries.delete(userId);
    this.#invalidatedAt.delete(userId);
    this.#invalidatedAt.set(userId, ++this.#invalidations);
    if (this.#invalidatedAt.size > this.#maxEntries) {
      const [oldest, at] = this.#invalidatedAt.entries().next().value as [number, number];
      this.#invalidatedAt.delete(oldest);
      this.#forgottenUpTo = at;
    }
  }

  /** Forgets every count, and every count being read now (e.g. after the change listener reconnects). */
  clear(): void {
    this.#entries.clear();
    this.#invalidatedAt.clear();
    this.#forgottenUpTo = ++this.#invalidations;
  }

  #invalidatedSince(userId: number, mark: number): boolean {
    return Math.max(this.#forgottenUpTo, this.#invalidatedAt.get(userId) ?? 0) > mark;
  }
}
