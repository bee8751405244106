/**
 * The processes the suite measures or runs beside the app: app variants
 * (through the app's own `startAppProcess`), the ceiling server, a CPU hog,
 * and pinning any of them to cores. The app and the ceiling run compiled, as
 * a deployment runs them: `buildSubjects` first.
 */
import { type ChildProcess, execFile, fork, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { type AppProcess, startAppProcess } from '@perfkit/express-app/load';
import { pnpm } from '../support/pnpm.js';

const run = promisify(execFile);
const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/**
 * Compiles the packages, the app and the ceiling (`pnpm run build`) from the
 * code checked out now, so no run measures a stale `dist/`. Through tsx, a
 * warm request costs the app about 7 % more CPU and the ceiling about 3 %
 * (NOTES.md): measured that way, the app's ratio to the ceiling would carry
 * a cost no deployment pays.
 *
 * @example
 * await buildSubjects(console.log);
 */
export async function buildSubjects(log: (line: string) => void): Promise<void> {
  log('compiling the packages, the app and the ceiling (pnpm run build): they run as deployed…');
  const [command, args] = pnpm(['run', 'build']);
  await run(command, args, { cwd: REPO_ROOT });
}

/** A running process with the URL it serves and its pid, so it can be pinned. */
export interface Running {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

/** The pid listening on `url`'s port (the app's child process does not expose its own). */
async function listenerPid(url: string): Promise<number> {
  const port = new URL(url).port;
  const { stdout } = await run('ss', ['-ltnpH', `sport = :${port}`]);
  const pid = /pid=(\d+)/.exec(stdout)?.[1];
  if (!pid) throw new Error(`no process found listening on port ${port}`);
  return Number(pid);
}

/**
 * Starts the compiled example app with `env` (on top of `base`) and finds its pid.
 *
 * @example
 * const app = await startApp({ MODE: 'optimized', CACHE: 'off' }, base);
 */
export async function startApp(env: Record<string, string>, base: Record<string, string>): Promise<Running> {
  const app: AppProcess = await startAppProcess({ ...base, ...env }, { runtime: 'compiled' });
  return {
    url: app.url,
    pid: await listenerPid(app.url),
    async stop() {
      await app.stop();
    },
  };
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  await exited;
}

/**
 * Starts the ceiling server (`ceiling-server.ts`, compiled) in its own process,
 * answering each of `bodies` at `<url>/<api>`.
 *
 * @example
 * const ceiling = await startCeiling({ overview: warmOverviewBody }); // GET `${ceiling.url}/overview`
 */
export async function startCeiling(bodies: Record<string, string>): Promise<Running> {
  // No execArgv: fork() would pass on this process's own (tsx's loader), which the compiled ceiling must not run under.
  const child = fork(fileURLToPath(new URL('../dist/app/ceiling-server.js', import.meta.url)), {
    execArgv: [],
  });
  child.send(bodies);
  const [{ port }] = (await once(child, 'message')) as [{ port: number }];
  return { url: `http://127.0.0.1:${port}/ceiling`, pid: child.pid as number, stop: () => stopChild(child) };
}

/**
 * Pins every thread of process `pid` to `cpus` (a taskset list, e.g. `1` or `0,1`).
 *
 * @example
 * await pin(app.pid, '1');
 */
export async function pin(pid: number, cpus: string): Promise<void> {
  await run('taskset', ['-a', '-p', '-c', cpus, String(pid)]);
}

/**
 * A process that spins on `cpus` until stopped: the CPU pressure beside the app.
 *
 * @example
 * const hog = await startCpuHog('1'); … await hog.stop();
 */
export async function startCpuHog(cpus: string): Promise<{ stop(): Promise<void> }> {
  const child = spawn('taskset', ['-c', cpus, process.execPath, '-e', 'for (;;) {}'], { stdio: 'ignore' });
  await once(child, 'spawn');
  return { stop: () => stopChild(child) };
}
