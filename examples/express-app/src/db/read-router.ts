import { setTimeout as sleep } from 'node:timers/promises';
import { within } from '@perfkit/primitives';
import type { Database } from '@perfkit/queries';
import { type Kysely, sql } from 'kysely';

/** Where reads go, and proof of where they went. */
export interface ReadRouter {
  /**
   * Runs `read` on a database that has every write committed before the call:
   * the replica once it has replayed the primary's current WAL position, else
   * the primary.
   */
  read<T>(read: (db: Kysely<Database>) => Promise<T>): Promise<T>;
  /** Reads served by each side since start. */
  readonly served: { replica: number; primary: number };
}

/** Options of {@link createReadRouter}. */
export interface ReadRouterOptions {
  primary: Kysely<Database>;
  /** A streaming replica; without one every read goes to the primary. */
  replica?: Kysely<Database> | undefined;
  /** How long a read waits for the replica to catch up before it reads the primary. Default: 100 ms. */
  maxWaitMs?: number;
  /** How often the replica's replay position is checked while waiting. Default: 5 ms. */
  pollMs?: number;
}

/**
 * Routes reads to a replica without ever reading the past: a reload that an
 * invalidation triggers must not read a replica that has not yet replayed the
 * write behind it, or the cache would keep the old answer for a whole TTL. So
 * each read first takes the primary's WAL insert position
 * (`pg_current_wal_insert_lsn()`, past every committed write, asynchronous
 * commits included) and waits, boundedly, for the replica to replay it. Reads
 * are rare (they fill caches), so the extra round trips are cheap.
 *
 * @example
 * const reads = createReadRouter({ primary: db, replica: replicaDb });
 * const overview = await reads.read((db) => loadOverview(db, params));
 */
export function createReadRouter(options: ReadRouterOptions): ReadRouter {
  const { primary, replica, maxWaitMs = 100, pollMs = 5 } = options;
  const served = { replica: 0, primary: 0 };
  if (!replica) {
    return {
      served,
      read(read) {
        served.primary++;
        return read(primary);
      },
    };
  }

  const caughtUp = async (lsn: string): Promise<boolean> => {
    // A server that is not in recovery is the primary itself: always current.
    // Replay stops at the end of the last record, but when that end is a page
    // boundary the insert position lies past the next page's header (24 bytes,
    // 40 at a segment start, e.g. after a WAL switch); a pending record would
    // add at least 24 more, so within 40 bytes of a page start nothing is pending.
    const { rows } = await sql<{ ok: boolean }>`
      SELECT CASE WHEN pg_is_in_recovery() THEN coalesce(
          replay >= ${lsn}::pg_lsn
            OR ((replay - '0/0') % current_setting('wal_block_size')::numeric = 0
              AND ${lsn}::pg_lsn - replay <= 40),
          false)
        ELSE true END AS ok
      FROM (SELECT pg_last_wal_replay_lsn() AS replay) AS r`.execute(replica);
    return rows[0]?.ok === true;
  };

  return {
    served,
    async read(read) {
      // The insert position, not the write position: an asynchronous commit
      // (synchronous_commit = off) is visible, and NOTIFYs, before its WAL is
      // written, so the write position may still be behind it.
      const { rows } = await sql<{ lsn: string }>`SELECT pg_current_wal_insert_lsn()::text AS lsn`.execute(
        primary,
      );
      const lsn = rows[0]?.lsn ?? '0/0';
      const giveUpAt = performance.now() + maxWaitMs;
      for (;;) {
        // An unreachable replica is not waited for, nor one that does not answer (a hung connection, a
        // full pool) past the bound: the primary answers.
        const state = await within(
          caughtUp(lsn).then(
            (ok) => (ok ? 'current' : 'behind'),
            () => 'down',
          ),
          Math.max(0, giveUpAt - performance.now()),
          'slow',
        );
        if (state === 'current') {
          served.replica++;
          return read(replica);
        }
        if (state !== 'behind' || performance.now() >= giveUpAt) break;
        await sleep(pollMs);
      }
      served.primary++;
      return read(primary);
    },
  };
}
