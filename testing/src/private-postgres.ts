import { execFile } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './free-port.js';

const run = promisify(execFile);

/** A PostgreSQL server of our own, in a temporary directory, for settings the shared one lacks. */
export interface PrivatePostgres {
  /** Connects as `postgres` to the `postgres` database, trust auth. */
  url: string;
  stop(): Promise<void>;
}

/**
 * The directory holding `initdb` and `pg_ctl`: `PG_BINDIR`, else the newest
 * `/usr/lib/postgresql/<major>/bin` (Debian's layout), else null.
 */
export function findPostgresBinaries(env: NodeJS.ProcessEnv = process.env): string | null {
  const candidates = env.PG_BINDIR
    ? [env.PG_BINDIR]
    : existsSync('/usr/lib/postgresql')
      ? readdirSync('/usr/lib/postgresql')
          .filter((major) => /^\d+$/.test(major))
          .sort((a, b) => Number(b) - Number(a))
          .map((major) => `/usr/lib/postgresql/${major}/bin`)
      : [];
  return candidates.find((dir) => existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'pg_ctl'))) ?? null;
}

/**
 * Starts a private PostgreSQL (initdb in a temporary directory, a free
 * port, its socket in that directory) with extra server settings, e.g.
 * `shared_preload_libraries=pg_stat_statements`. PostgreSQL refuses to run
 * as root, so as root the server binaries run as `postgres` through
 * `runuser`, which then owns the directory.
 *
 * @example
 * const pg = await startPrivatePostgres(bin, { shared_preload_libraries: 'pg_stat_statements' });
 * afterAll(() => pg.stop());
 */
export async function startPrivatePostgres(
  bin: string,
  settings: Record<string, string> = {},
): Promise<PrivatePostgres> {
  const dir = mkdtempSync(join(tmpdir(), 'perf-cli-pg-'));
  const asRoot = userInfo().uid === 0;
  if (asRoot) {
    const { stdout } = await run('id', ['-u', 'postgres']);
    const { stdout: gid } = await run('id', ['-g', 'postgres']);
    chownSync(dir, Number(stdout.trim()), Number(gid.trim()));
  }
  const server = (tool: string, args: string[]) =>
    asRoot ? run('runuser', ['-u', 'postgres', '--', join(bin, tool), ...args]) : run(join(bin, tool), args);
  const data = join(dir, 'data');
  const port = await freePort();
  const options = [
    `-p ${port}`,
    `-k ${dir}`,
    '-c listen_addresses=127.0.0.1',
    '-c fsync=off',
    ...Object.entries(settings).map(([name, value]) => `-c ${name}=${value}`),
  ].join(' ');
  try {
    await server('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync']);
    await server('pg_ctl', ['-D', data, '-o', options, '-l', join(dir, 'server.log'), '-w', 'start']);
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    url: `postgresql://postgres@127.0.0.1:${port}/postgres`,
    async stop() {
      await server('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']).catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
