import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';
import { preciseClock } from '@perfkit/primitives';
import { PerfCliError } from '../errors.js';
import { decodeRun, mergeRuns, type RunResult } from './run-result.js';
import type { FromWorker, ToWorker, WorkerJob } from './worker-protocol.js';

/** Without a shared `--start-at`, a phase starts this long after every worker has its connections open, so each receives its start in time. */
const START_MARGIN_MS = 50;

/** Worker threads that generate load together, each with its own connections and event loop. */
export interface GeneratorPool {
  readonly size: number;
  /**
   * Runs one phase: `jobs[i]` on worker i, all with their clock at
   * `startAt` (ms since the epoch; default: as soon as every worker has its
   * connections open), merged exactly into one result.
   */
  run(
    jobs: WorkerJob[],
    options?: { startAt?: number; onProgress?: (fraction: number) => void },
  ): Promise<RunResult>;
  close(): Promise<void>;
}

/** The worker's script: the compiled file, or — running from TypeScript sources (tests, `pnpm perf-cli`) — the source through tsx, as the main thread loads it. */
function workerScript(): { script: string | URL; options: WorkerOptions } {
  const self = new URL(import.meta.url);
  if (!self.pathname.endsWith('.ts')) return { script: new URL('./generator-worker.js', self), options: {} };
  const entry = new URL('./generator-worker.ts', self).href;
  const tsx = pathToFileURL(
    createRequire(self)
      .resolve('tsx/esm/api')
      .replace(/\.cjs$/, '.mjs'),
  ).href;
  return {
    script: `import(${JSON.stringify(tsx)}).then(({ register }) => { register(); return import(${JSON.stringify(entry)}); });`,
    options: { eval: true },
  };
}

/** One worker and the reply it owes. */
class WorkerHandle {
  onProgress: ((fraction: number) => void) | undefined;
  private pending:
    | { type: FromWorker['type']; resolve: (m: FromWorker) => void; reject: (e: Error) => void }
    | undefined;
  private failure: Error | undefined;
  readonly ready: Promise<FromWorker>;

  constructor(private readonly worker: Worker) {
    this.ready = this.expect('ready');
    worker.on('message', (message: FromWorker) => {
      if (message.type === 'progress') {
        this.onProgress?.(message.fraction);
        return;
      }
      if (message.type === 'failed') {
        const { code, message: text, exitCode } = message.error;
        return this.settle(
          code
            ? new PerfCliError(code, text, exitCode === null ? {} : { exitCode })
            : new Error(`load generator worker failed: ${text}`),
        );
      }
      this.settle(undefined, message);
    });
    worker.on('error', (error) => this.settle(error));
    worker.on('exit', (code) => this.settle(new Error(`load generator worker exited (code ${code})`)));
  }

  ask(message: ToWorker, reply: FromWorker['type']): Promise<FromWorker> {
    const answer = this.expect(reply);
    this.worker.postMessage(message);
    return answer;
  }

  terminate(): Promise<number> {
    return this.worker.terminate();
  }

  private expect(type: FromWorker['type']): Promise<FromWorker> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.pending = { type, resolve, reject };
    });
  }

  private settle(error: Error | undefined, message?: FromWorker): void {
    const pending = this.pending;
    this.pending = undefined;
    if (error) {
      this.failure ??= error;
      pending?.reject(error);
    } else if (message && pending) {
      if (message.type === pending.type) pending.resolve(message);
      else
        pending.reject(new Error(`load generator worker answered ${message.type}, expected ${pending.type}`));
    }
  }
}

/**
 * Starts `size` generator worker threads. The CLI keeps them for a whole
 * load test (every warm-up and repetition), so thread start-up is paid once.
 *
 * @example
 * const pool = await startGeneratorPool(2);
 * try { const run = await pool.run(jobs); } finally { await pool.close(); }
 */
export async function startGeneratorPool(size: number): Promise<GeneratorPool> {
  const { script, options } = workerScript();
  const handles = Array.from({ length: size }, () => new WorkerHandle(new Worker(script, options)));
  const close = async () => {
    await Promise.all(handles.map((h) => h.terminate()));
  };
  try {
    await Promise.all(handles.map((h) => h.ready));
  } catch (error) {
    await close();
    throw error;
  }
  return {
    size,
    close,
    async run(jobs, { startAt, onProgress } = {}) {
      await Promise.all(
        handles.map((h, i) => h.ask({ type: 'prepare', job: jobs[i] as WorkerJob }, 'prepared')),
      );
      const epochNow = preciseClock.now;
      const t0Epoch = startAt ?? epochNow() + START_MARGIN_MS;
      for (const [i, h] of handles.entries()) h.onProgress = i === 0 ? onProgress : undefined;
      const cpuBefore = process.cpuUsage();
      const askedAt = epochNow();
      const replies = await Promise.all(
        handles.map((h, i) =>
          h.ask({ type: 'start', t0Epoch, reportProgress: i === 0 && onProgress !== undefined }, 'done'),
        ),
      );
      const cpu = process.cpuUsage(cpuBefore);
      // CPU spent waiting for a distant --start-at is negligible; the wall time counts from the start.
      const wallMs = Math.max(1, epochNow() - Math.max(askedAt, t0Epoch));
      const runs = replies.map((reply) => decodeRun((reply as Extract<FromWorker, { type: 'done' }>).run));
      const merged = mergeRuns(
        runs,
        runs.map((_, i) => `worker ${i + 1}`),
      );
      return { ...merged, cpuCores: Math.round(((cpu.user + cpu.system) / 1000 / wallMs) * 100) / 100 };
    },
  };
}
