import type { JsonResponse } from '../../support/test-app.js';

/** One request of a load loop, labelled for its latency summary (e.g. the API it hit). */
export interface LoadRequest {
  label: string;
  send(): Promise<JsonResponse>;
  /** What is wrong with the response, if anything; every problem fails the scenario. */
  check?(response: JsonResponse): string | undefined;
}

/** Latency percentiles of one label, ms. */
interface LatencyFigures {
  count: number;
  p50: number;
  p99: number;
  max: number;
}

/** What a load loop saw. */
export interface LoadReport {
  requests: number;
  /** Responses by status code; `network` for a request that got no response at all. */
  statuses: Record<string, number>;
  /** Responses with status 500 or more, and requests without a response. */
  serverErrors: number;
  /** The first problems found (at most 20 kept), and how many there were. */
  problems: string[];
  problemCount: number;
  latency: Record<string, LatencyFigures>;
  durationMs: number;
}

/** A load loop that runs until stopped. */
export interface RunningLoad {
  /** Resolves once `count` more requests have been answered. */
  progress(count: number): Promise<void>;
  /** Stops the workers after their current request and reports. */
  stop(): Promise<LoadReport>;
}

const KEPT_PROBLEMS = 20;

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
}

/**
 * Runs `concurrency` workers over real HTTP, each sending `next(worker)`'s
 * request as soon as its previous one ended (a closed loop), until stopped.
 * Every response is checked as it arrives; latencies are kept per label.
 *
 * @example
 * const load = startLoad(16, () => ({ label: 'overview', send: () => requestJson(url, '/api/dashboard/overview', { key }) }));
 * const report = await load.stop();
 * expect(report.serverErrors).toBe(0);
 */
export function startLoad(concurrency: number, next: (worker: number) => LoadRequest): RunningLoad {
  const started = performance.now();
  const statuses: Record<string, number> = {};
  const latencies = new Map<string, number[]>();
  const problems: string[] = [];
  let problemCount = 0;
  let requests = 0;
  let serverErrors = 0;
  let stopping = false;
  const waiters = new Set<{ target: number; resolve(): void }>();

  const problem = (text: string) => {
    problemCount++;
    if (problems.length < KEPT_PROBLEMS) problems.push(text);
  };

  async function worker(n: number): Promise<void> {
    while (!stopping) {
      const request = next(n);
      const t0 = performance.now();
      let response: JsonResponse | undefined;
      try {
        response = await request.send();
      } catch (error) {
        statuses.network = (statuses.network ?? 0) + 1;
        serverErrors++;
        problem(`${request.label}: no response (${(error as Error).message})`);
        continue;
      }
      const ms = performance.now() - t0;
      requests++;
      statuses[response.status] = (statuses[response.status] ?? 0) + 1;
      if (response.status >= 500) serverErrors++;
      const found = request.check?.(response);
      if (found) problem(`${request.label}: ${found}`);
      const list = latencies.get(request.label) ?? [];
      if (list.length === 0) latencies.set(request.label, list);
      list.push(ms);
      for (const waiter of [...waiters]) {
        if (requests >= waiter.target) {
          waiters.delete(waiter);
          waiter.resolve();
        }
      }
    }
  }

  const workers = Array.from({ length: concurrency }, (_, n) => worker(n));
  return {
    progress(count) {
      return new Promise((resolve) => waiters.add({ target: requests + count, resolve }));
    },
    async stop() {
      stopping = true;
      await Promise.all(workers);
      const latency: Record<string, LatencyFigures> = {};
      for (const [label, list] of latencies) {
        const sorted = list.sort((a, b) => a - b);
        latency[label] = {
          count: sorted.length,
          p50: percentile(sorted, 50),
          p99: percentile(sorted, 99),
          max: sorted.at(-1) ?? 0,
        };
      }
      return {
        requests,
        statuses,
        serverErrors,
        problems,
        problemCount,
        latency,
        durationMs: performance.now() - started,
      };
    },
  };
}

/**
 * Resolves once `load` has answered `count` more requests, so a test moves to
 * its next phase only after the load really ran through the current one.
 *
 * @example
 * await loadProgress(load, 200);
 */
export async function loadProgress(load: RunningLoad, count: number, timeoutMs = 120_000): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`the load did not answer ${count} requests in time`)),
      timeoutMs,
    );
  });
  try {
    await Promise.race([load.progress(count), timedOut]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * One line of figures for RELIABILITY.md, printed by the chaos suite.
 *
 * @example
 * printFigures('redis outage', report);
 */
export function printFigures(
  scenario: string,
  report: LoadReport,
  extra: Record<string, unknown> = {},
): void {
  const latency = Object.entries(report.latency)
    .map(
      ([label, f]) =>
        `${label} n=${f.count} p50=${f.p50.toFixed(0)} p99=${f.p99.toFixed(0)} max=${f.max.toFixed(0)} ms`,
    )
    .join('; ');
  console.info(
    `[chaos] ${scenario}: ${report.requests} requests in ${(report.durationMs / 1000).toFixed(1)} s, ` +
      `statuses ${JSON.stringify(report.statuses)}, problems ${report.problemCount}; ${latency}` +
      (Object.keys(extra).length > 0 ? `; ${JSON.stringify(extra)}` : ''),
  );
}
