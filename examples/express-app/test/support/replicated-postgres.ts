import { execFile, execFileSync } from 'node:child_process';
import { chownSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { startFakeElevenLabs } from '@perfkit/external/fake';
import { createDatabase } from '@perfkit/queries';
import type { SeedScale } from '@perfkit/queries/admin';
import { freePorts } from '@perfkit/testing';
import pg from 'pg';
import { migrateAndSeed } from '../../src/database-setup.js';
import type { TestData } from './test-app.js';

const run = promisify(execFile);

/** A private primary and its streaming replica, both in one temporary directory. */
export interface ReplicatedPostgres {
  /** The primary's `postgres` database, as `postgres`, trust auth. */
  primaryUrl: string;
  /** The same database on the hot-standby replica (read-only). */
  replicaUrl: string;
  /**
   * Resolves once the replica has replayed everything the primary has written
   * out so far (every synchronous commit; its apply delay included); rejects
   * after `timeoutMs`.
   */
  waitForReplay(timeoutMs?: number): Promise<void>;
  /** Stops both servers and removes the directory; safe to call twice, and after a failed start. */
  stop(): Promise<void>;
}

/** Options of {@link startReplicatedPostgres}. */
export interface ReplicatedPostgresOptions {
  /** The replica's `recovery_min_apply_delay`, which makes its lag visible. Default: `'2s'`. */
  applyDelay?: string;
  /** More `-c` settings of the primary, e.g. `{ wal_writer_delay: '10s' }`. Default: none. */
  primarySettings?: Record<string, string>;
}

async function queryOne<T>(url: string, text: string, values: unknown[] = []): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query(text, values);
    return rows[0] as T;
  } finally {
    await client.end();
  }
}

/**
 * Starts a private PostgreSQL primary and a streaming replica of it in a
 * temporary directory, on free ports, sockets in that directory: `initdb`
 * (trust, replication included), `pg_basebackup -R -X stream`, and
 * the replica started with `recovery_min_apply_delay`, so a commit becomes
 * visible there only after that delay. The system cluster allows no
 * replication connections, hence a private pair. PostgreSQL refuses to run
 * as root, so as root the binaries run as `postgres` through `runuser`.
 * A failed start removes whatever it had started.
 *
 * @example
 * const pair = await startReplicatedPostgres(bin, { applyDelay: '2s' });
 * afterAll(() => pair.stop());
 */
export async function startReplicatedPostgres(
  bin: string,
  options: ReplicatedPostgresOptions = {},
): Promise<ReplicatedPostgres> {
  const [primaryPort = 0, replicaPort = 0] = await freePorts(2);
  const dir = mkdtempSync(join(tmpdir(), 'perfkit-replica-'));
  const asRoot = userInfo().uid === 0;
  const asPostgres = (name: string, args: string[]): [string, string[]] =>
    asRoot ? ['runuser', ['-u', 'postgres', '--', join(bin, name), ...args]] : [join(bin, name), args];
  const tool = (name: string, args: string[]) => run(...asPostgres(name, args));
  const primaryDir = join(dir, 'primary');
  const replicaDir = join(dir, 'replica');
  const started: string[] = [];
  const stopArgs = (data: string) => ['-D', data, '-m', 'immediate', '-w', 'stop'];
  // A test run that ends without teardown (a hook timing out, a crash) still leaves nothing behind.
  const stopAtExit = () => {
    for (const data of [...started].reverse()) {
      try {
        execFileSync(...asPostgres('pg_ctl', stopArgs(data)), { stdio: 'ignore' });
      } catch {
        // Not running: nothing to stop.
      }
    }
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', stopAtExit);
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    process.off('exit', stopAtExit);
    // The replica first, so it does not spend its shutdown reconnecting to a stopped primary.
    for (const data of [...started].reverse()) await tool('pg_ctl', stopArgs(data)).catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  };
  const startServer = async (data: string, port: number, settings: Record<string, string>) => {
    const all = { listen_addresses: '127.0.0.1', fsync: 'off', ...settings };
    const serverOptions = [
      `-p ${port} -k ${dir}`,
      ...Object.entries(all).map(([k, v]) => `-c ${k}=${v}`),
    ].join(' ');
    started.push(data);
    await tool('pg_ctl', ['-D', data, '-o', serverOptions, '-l', `${data}.log`, '-w', 'start']);
  };

  try {
    if (asRoot) {
      const { stdout: uid } = await run('id', ['-u', 'postgres']);
      const { stdout: gid } = await run('id', ['-g', 'postgres']);
      chownSync(dir, Number(uid.trim()), Number(gid.trim()));
    }
    // initdb's pg_hba.conf with `-A trust` already admits replication connections from 127.0.0.1.
    await tool('initdb', ['-D', primaryDir, '-A', 'trust', '-U', 'postgres', '--no-sync']);
    await startServer(primaryDir, primaryPort, options.primarySettings ?? {});
    await tool('pg_basebackup', [
      ...['-h', '127.0.0.1', '-p', String(primaryPort), '-U', 'postgres'],
      ...['-D', replicaDir, '-R', '-X', 'stream', '-c', 'fast', '--no-sync'],
    ]);
    await startServer(replicaDir, replicaPort, {
      recovery_min_apply_delay: options.applyDelay ?? '2s',
    });
  } catch (error) {
    await stop();
    throw error;
  }

  const primaryUrl = `postgresql://postgres@127.0.0.1:${primaryPort}/postgres`;
  const replicaUrl = `postgresql://postgres@127.0.0.1:${replicaPort}/postgres`;
  const isCaughtUp = async () => {
    const { lsn } = await queryOne<{ lsn: string }>(primaryUrl, 'SELECT pg_current_wal_lsn()::text AS lsn');
    const { ok } = await queryOne<{ ok: boolean }>(
      replicaUrl,
      'SELECT coalesce(pg_last_wal_replay_lsn() >= $1::pg_lsn, false) AS ok',
      [lsn],
    );
    return ok;
  };
  return {
    primaryUrl,
    replicaUrl,
    async waitForReplay(timeoutMs = 15_000) {
      const giveUpAt = performance.now() + timeoutMs;
      while (!(await isCaughtUp())) {
        if (performance.now() > giveUpAt)
          throw new Error(`the replica did not catch up within ${timeoutMs} ms`);
        await sleep(25);
      }
    },
    stop,
  };
}

/**
 * The pair's primary as a {@link TestData} for `startAppOn`: its `postgres`
 * database migrated, seeded at `scale` and rolled up (the replica receives
 * it all by streaming), and a fake ElevenLabs without latency. `close()`
 * leaves the servers to {@link ReplicatedPostgres.stop}.
 *
 * @example
 * const data = await seedPrimary(pair);
 * const app = await startAppOn(data, { mode: 'optimized', config: { databaseReadUrl: pair.replicaUrl } });
 */
export async function seedPrimary(pair: ReplicatedPostgres, scale: SeedScale = 'tiny'): Promise<TestData> {
  const manifest = await migrateAndSeed(pair.primaryUrl, scale);
  const handle = createDatabase({
    connectionString: pair.primaryUrl,
    max: 2,
    applicationName: 'perfkit-test',
  });
  const fake = await startFakeElevenLabs({ latency: { kind: 'none' } });
  return {
    schema: { ...handle, schema: 'public', connectionString: pair.primaryUrl, drop: () => handle.destroy() },
    manifest,
    fake,
    async close() {
      await fake.close();
      await handle.destroy();
    },
  };
}
