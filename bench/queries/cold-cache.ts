import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import type pg from 'pg';

const run = promisify(execFile);

/** Relations whose pages the APIs read; their OS-cached pages are dropped on eviction. */
const HOT_TABLES = [
  'calls',
  'leads',
  'agents',
  'agent_analytics',
  'agent_totals',
  'tenant_daily',
  'analytics_dirty',
  'users',
];

/**
 * Makes the next query cold without restarting PostgreSQL:
 * 1. shared_buffers: `pg_prewarm` loads a filler table larger than
 *    shared_buffers, pushing every other page out (a plain seq scan would not:
 *    it uses a small ring buffer);
 * 2. OS page cache: `dd iflag=nocache count=0` (posix_fadvise DONTNEED) on every
 *    file of the hot tables and their indexes, so their pages come from disk.
 * Needs superuser and read access to the data directory (the bench runs as root).
 */
export async function createEvictor(pool: pg.Pool): Promise<() => Promise<void>> {
  await pool.query('CREATE EXTENSION IF NOT EXISTS pg_prewarm');
  const { rows: size } = await pool.query<{ mb: number }>(
    `SELECT (setting::bigint * 8192 / 1048576)::int AS mb FROM pg_settings WHERE name = 'shared_buffers'`,
  );
  const fillerRows = Math.ceil(((size[0]?.mb ?? 128) * 1.5 * 1_048_576) / 560);
  await pool.query(`CREATE TABLE IF NOT EXISTS bench_filler AS
    SELECT g AS id, repeat('x', 500) AS pad FROM generate_series(1, ${fillerRows}) g`);
  const { rows: dir } = await pool.query<{ setting: string }>(
    `SELECT setting FROM pg_settings WHERE name = 'data_directory'`,
  );
  return async () => {
    await pool.query(`SELECT pg_prewarm('bench_filler')`);
    for (const file of await segmentFiles(pool, dir[0]?.setting ?? '')) {
      await run('dd', [`if=${file}`, 'iflag=nocache', 'count=0', 'status=none']);
    }
  };
}

/**
 * Every file of the hot tables and their indexes, looked up at each eviction:
 * an index rebuilt since (the benchmark drops and re-creates them) has new files.
 */
async function segmentFiles(pool: pg.Pool, dataDirectory: string): Promise<string[]> {
  const { rows: files } = await pool.query<{ path: string }>(
    `SELECT pg_relation_filepath(c.oid) AS path FROM pg_class c
     WHERE c.oid IN (SELECT to_regclass(t) FROM unnest($1::text[]) t)
        OR c.oid IN (SELECT indexrelid FROM pg_index WHERE indrelid IN (SELECT to_regclass(t) FROM unnest($1::text[]) t))`,
    [HOT_TABLES],
  );
  const segments: string[] = [];
  for (const { path } of files) {
    const base = `${dataDirectory}/${path}`;
    for (let n = 0; ; n++) {
      const file = n === 0 ? base : `${base}.${n}`;
      if (!existsSync(file)) break;
      segments.push(file);
    }
  }
  return segments;
}
