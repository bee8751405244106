import { type LoadTarget, type LoadtestReport, runLoadtest } from '@perfkit/cli';
import { type AppProcess, startAppProcess } from '../load/app-process.js';
import { API_PATHS } from '../load/baseline-targets.js';

/** One measured configuration of the app. */
export interface DemoPhase {
  key: 'naive' | 'naive-indexed' | 'optimized-cold' | 'optimized-warm';
  label: string;
  /** The app's environment for this phase (on top of the shared one). */
  env: Record<string, string>;
  /** Unmeasured load before measuring: fills the warm phase's caches. */
  warmupMs: number;
}

/** The demo's story, in order; the indexes are applied between the first two. */
export const DEMO_PHASES: readonly DemoPhase[] = [
  { key: 'naive', label: 'naive, no indexes', env: { MODE: 'naive' }, warmupMs: 0 },
  { key: 'naive-indexed', label: 'naive + indexes', env: { MODE: 'naive' }, warmupMs: 0 },
  {
    key: 'optimized-cold',
    label: 'optimized, cache off',
    env: { MODE: 'optimized', CACHE: 'off' },
    warmupMs: 0,
  },
  {
    key: 'optimized-warm',
    label: 'optimized, warm',
    env: { MODE: 'optimized', CACHE: 'on' },
    warmupMs: 2_000,
  },
];

/** The load of every phase: the same generator and settings as the CI gate, closed model. */
export interface DemoLoad {
  connections: number;
  durationMs: number;
  /** Generous: the naive phases answer in seconds, and a request cut short would hide it. */
  timeoutMs: number;
}

/** What a phase measured, and the app, when it is kept running. */
export interface PhaseResult {
  phase: DemoPhase;
  report: LoadtestReport;
  app?: AppProcess;
}

/**
 * Starts the app for `phase` in its own process, loads the three APIs one
 * after another with `perf-cli loadtest`'s generator, and stops the app
 * unless asked to keep it.
 *
 * @example
 * const result = await runPhase(DEMO_PHASES[0], { env, apiKey, load });
 */
export async function runPhase(
  phase: DemoPhase,
  options: { env: Record<string, string>; apiKey: string; load: DemoLoad; keep?: boolean },
): Promise<PhaseResult> {
  const app = await startAppProcess({ ...options.env, ...phase.env });
  try {
    const targets: LoadTarget[] = Object.entries(API_PATHS).map(([name, path]) => ({
      name,
      url: `${app.url}${path}`,
      method: 'GET',
      headers: { authorization: `Bearer ${options.apiKey}` },
    }));
    const report = await runLoadtest({
      targets,
      model: 'closed',
      connections: options.load.connections,
      durationMs: options.load.durationMs,
      warmupMs: phase.warmupMs,
      repetitions: 1,
      timeoutMs: options.load.timeoutMs,
    });
    if (options.keep) return { phase, report, app };
    await app.stop();
    return { phase, report };
  } catch (error) {
    await app.stop();
    throw error;
  }
}
