import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const APP_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/**
 * How the child runs the app: its TypeScript through tsx (no build step), or
 * `dist/` as `pnpm run build` compiled it, with the packages' `dist/` too, as
 * a deployment runs it. Through tsx a warm request costs about 7 % more CPU
 * than compiled (bench/app NOTES), so measurements use `compiled`.
 */
export type AppRuntime = 'tsx' | 'compiled';

const ENTRY: Record<AppRuntime, string[]> = {
  tsx: ['--conditions=@perfkit/source', '--import', 'tsx', 'src/main.ts'],
  compiled: ['dist/main.js'],
};
const LISTENING = /listening on (http:\/\/\S+)/;

// The apps still running when this process exits (at its end, or through process.exit on a
// signal) are sent SIGTERM, so that none outlives the demo or benchmark that started it.
const running = new Set<ChildProcess>();
const stopRunningAtExit = () => {
  for (const child of running) child.kill('SIGTERM');
};

/** The example app running in a child process, so a load generator does not share its event loop. */
export interface AppProcess {
  url: string;
  /** The app's process id (e.g. to sample its memory). */
  pid: number;
  /** Sends SIGTERM (the app drains, then exits; SIGKILL if it has not 15 s later) and resolves with the exit code. */
  stop(): Promise<number | null>;
}

/**
 * Starts the app (`src/main.ts`, or its compiled `dist/main.js`) in a child
 * process with `env` on top of this process's environment (`PORT` 0 unless
 * given) and resolves once it listens.
 *
 * @example
 * const app = await startAppProcess({ DATABASE_URL: url, MODE: 'naive', NOW: manifest.anchor });
 * await app.stop();
 */
export async function startAppProcess(
  env: Record<string, string>,
  { runtime = 'tsx' }: { runtime?: AppRuntime } = {},
): Promise<AppProcess> {
  if (runtime === 'compiled' && !existsSync(`${APP_ROOT}/dist/main.js`)) {
    throw new Error(`${APP_ROOT}dist/main.js is missing: run \`pnpm run build\` first`);
  }
  const child = spawn(process.execPath, ENTRY[runtime], {
    cwd: APP_ROOT,
    env: { ...process.env, PORT: '0', LOG_LEVEL: 'error', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (running.size === 0) process.once('exit', stopRunningAtExit);
  running.add(child);
  child.once('exit', () => {
    running.delete(child);
    if (running.size === 0) process.off('exit', stopRunningAtExit);
  });
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = LISTENING.exec(output);
      if (match?.[1]) resolve(match[1]);
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.once('exit', (code) =>
      reject(new Error(`the app exited (code ${code}) before listening:\n${output}`)),
    );
  });
  child.stdout?.resume();
  return { url, pid: child.pid as number, stop: () => stopChild(child) };
}

async function stopChild(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return child.exitCode;
  const exited = once(child, 'exit') as Promise<[number | null]>;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  const [code] = await exited;
  clearTimeout(timer);
  return code;
}
