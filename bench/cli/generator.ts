/**
 * Issue 18's checks of perf-cli's generator, side by side with wrk in one
 * run against the same bare node:http JSON endpoint, the target pinned to
 * core 0 and every generator to the other cores (where taskset can pin).
 */
import { mkdirSync } from 'node:fs';
import {
  decodeHistogram,
  generatorDemand,
  type LoadtestReport,
  mergeReports,
  readReport,
} from '@perfkit/cli';
import Table from 'cli-table3';
import { median } from '../support/stats.js';
import { CORES, f, loadAverage, perfCli, startServer, type WrkResult, wrk } from './servers.js';

const CONNECTIONS = 50;
const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const target = (report: LoadtestReport) => report.targets[0];
/** The most a generator worker needed a CPU in a report (perf-cli's saturation rule). */
const busiest = (report: LoadtestReport) =>
  Math.max(
    ...(target(report)?.repetitions.flatMap((r) => r.generator?.workers.map(generatorDemand) ?? []) ?? [0]),
  );
const where = () =>
  CORES.pinned
    ? `target on core ${CORES.target}, generators on ${CORES.generator}`
    : 'not pinned (taskset missing)';

/** Closed model, same connections and threads: perf-cli --workers N against wrk -tN, rounds interleaved. */
export async function throughput(results: Record<string, unknown>) {
  const rounds = env('ROUNDS', 6);
  const seconds = env('SECONDS', 5);
  const server = await startServer('json');
  await wrk(server.url, { connections: CONNECTIONS, seconds: 2, cpus: CORES.generator }); // the target's JIT warms up
  const table = new Table({
    head: [
      'threads',
      'round',
      'wrk req/s',
      'perf-cli req/s',
      'ratio',
      'wrk p50',
      'perf-cli p50',
      'p50 ratio',
      'gen load',
      'verdict',
    ],
  });
  const summary: Record<string, unknown> = {};
  for (const threads of [1, 2]) {
    const ratios: number[] = [];
    const p50Ratios: number[] = [];
    const runs: unknown[] = [];
    for (let round = 1; round <= rounds; round++) {
      const ours = () =>
        perfCli(
          `loadtest -t json=${server.url} --model closed -c ${CONNECTIONS} -d ${seconds}s --warmup 1s -r 1 --workers ${threads}`.split(
            ' ',
          ),
        );
      const theirs = () =>
        wrk(server.url, { threads, connections: CONNECTIONS, seconds, cpus: CORES.generator });
      // Alternate who goes first, so drift during a round favours neither.
      let w: WrkResult;
      let p: LoadtestReport;
      if (round % 2) {
        w = await theirs();
        p = await ours();
      } else {
        p = await ours();
        w = await theirs();
      }
      const t = target(p);
      const ratio = (t?.rps ?? 0) / w.rps;
      const p50Ratio = (t?.latency.p50 ?? 0) / w.p50;
      ratios.push(ratio);
      p50Ratios.push(p50Ratio);
      runs.push({
        wrk: { rps: w.rps, p50: w.p50, p99: w.p99 },
        perfCli: {
          rps: t?.rps,
          latency: t?.latency,
          uncorrected: t?.uncorrectedLatency,
          load: busiest(p),
          verdict: p.verdict,
        },
      });
      table.push([
        threads,
        round,
        f(w.rps, 0),
        f(t?.rps, 0),
        f(ratio),
        f(w.p50),
        f(t?.latency.p50),
        f(p50Ratio),
        `${Math.round(busiest(p) * 100)}%`,
        p.verdict,
      ]);
      process.stderr.write(
        `throughput ${threads} thread(s), round ${round}/${rounds}: ratio ${f(ratio)}, p50 ratio ${f(p50Ratio)}\n`,
      );
    }
    table.push([
      threads,
      'median',
      '',
      '',
      f(median(ratios)),
      '',
      '',
      f(median(p50Ratios)),
      '',
      `req/s >= 0.8x: ${median(ratios) >= 0.8}; p50 within 20 %: ${Math.abs(median(p50Ratios) - 1) <= 0.2}`,
    ]);
    summary[`threads${threads}`] = { medianRatio: median(ratios), medianP50Ratio: median(p50Ratios), runs };
  }
  server.stop();
  console.log(
    `\nclosed model, ${CONNECTIONS} connections, ${seconds} s rounds, bare node:http JSON endpoint; ${where()}; load average ${loadAverage()}\n${table.toString()}`,
  );
  results.throughput = summary;
}

/** `--workers 1`, closed model, against a target faster than one generator thread, and against the node:http one. */
export async function saturation(results: Record<string, unknown>) {
  const runs = env('SATURATION_RUNS', 3);
  const table = new Table({
    head: ['target', 'run', 'wrk -t1 req/s', 'perf-cli req/s', 'gen load', 'CPU cores', 'verdict', 'reason'],
  });
  const out: unknown[] = [];
  for (const mode of ['instant', 'json'] as const) {
    const server = await startServer(mode);
    for (let i = 1; i <= runs; i++) {
      const w = await wrk(server.url, { connections: CONNECTIONS, seconds: 5, cpus: CORES.generator });
      const p = await perfCli(
        `loadtest -t ${mode}=${server.url} --model closed -c ${CONNECTIONS} -d 5s --warmup 1s -r 1 --workers 1`.split(
          ' ',
        ),
      );
      const cpu = target(p)?.repetitions[0]?.generator?.cpuCores;
      const reason = p.inconclusive[0]?.replace(/^.*?: /, '').slice(0, 70) ?? '';
      table.push([
        mode === 'instant' ? 'instant (raw socket, canned JSON)' : 'bare node:http JSON',
        i,
        f(w.rps, 0),
        f(target(p)?.rps, 0),
        `${Math.round(busiest(p) * 100)}%`,
        f(cpu),
        p.verdict,
        reason,
      ]);
      out.push({
        mode,
        wrkRps: w.rps,
        rps: target(p)?.rps,
        load: busiest(p),
        cpuCores: cpu,
        verdict: p.verdict,
        inconclusive: p.inconclusive,
      });
    }
    server.stop();
  }
  console.log(
    `\n--workers 1, closed model, ${CONNECTIONS} connections, 5 s; ${where()}; load average ${loadAverage()}\n${table.toString()}`,
  );
  results.saturation = out;
}

/** The stalling server (100 ms once a second; true p99 ≈ 91 ms) under the open model with two workers and one, runs interleaved. */
export async function stallWorkers(results: Record<string, unknown>) {
  const rate = env('STALL_RATE', 1000);
  const runs = env('STALL_RUNS', 3);
  const server = await startServer('stall', 100);
  const table = new Table({
    head: [
      'workers',
      'run',
      'p50 ms',
      'p99 ms',
      'max ms',
      'late',
      'dropped',
      'verdict',
      'p99 within 10 % of 91 ms',
    ],
  });
  const out: unknown[] = [];
  for (let run = 1; run <= runs; run++) {
    for (const workers of [2, 1]) {
      const p = await perfCli(
        `loadtest -t stall=${server.url} --rate ${rate} -c 50 -d 10s --warmup 1s -r 1 --workers ${workers}`.split(
          ' ',
        ),
      );
      const t = target(p);
      const p99 = t?.latency.p99 ?? 0;
      table.push([
        workers,
        run,
        f(t?.latency.p50),
        f(p99),
        f(t?.latency.max),
        t?.late,
        t?.dropped,
        p.verdict,
        String(Math.abs(p99 - 91) <= 9.1),
      ]);
      out.push({
        workers,
        latency: t?.latency,
        late: t?.late,
        dropped: t?.dropped,
        verdict: p.verdict,
        inconclusive: p.inconclusive,
      });
    }
  }
  server.stop();
  console.log(
    `\nopen model, ${rate} req/s, 50 connections, 10 s, server stalling 100 ms once a second; ${where()}; load average ${loadAverage()}\n${table.toString()}`,
  );
  results.stallWorkers = out;
}

/**
 * Two half-rate shards (separate processes, one start time) merged, against
 * single full-rate runs, interleaved: the merged histogram's count must equal
 * a single run's exactly, its percentiles fall within the spread of the
 * single runs.
 */
export async function merge(results: Record<string, unknown>) {
  const rate = env('MERGE_RATE', 2000);
  const repeats = env('MERGE_REPEATS', 3);
  const dir = new URL('../results/cli-merge/', import.meta.url).pathname;
  mkdirSync(dir, { recursive: true });
  const server = await startServer('json');
  const load = (extra: string) =>
    perfCli(
      `loadtest -t json=${server.url} --rate ${rate} -c 20 -d 10s --warmup 1s -r 1 --workers 1 ${extra}`
        .trim()
        .split(' '),
    );
  const singles: LoadtestReport[] = [];
  const merges: LoadtestReport[] = [];
  for (let i = 0; i < repeats; i++) {
    singles.push(await load(''));
    // Far enough ahead for both processes to load and open their connections.
    const startAt = new Date(Date.now() + 5000).toISOString();
    await Promise.all([
      load(`--shard 1/2 --start-at ${startAt} --save ${dir}a.json`),
      load(`--shard 2/2 --start-at ${startAt} --save ${dir}b.json`),
    ]);
    merges.push(
      mergeReports(
        ['a.json', 'b.json'].map((name) => ({ source: name, report: readReport(`${dir}${name}`) })),
      ),
    );
  }
  server.stop();
  const rep = (r: LoadtestReport) => target(r)?.repetitions[0];
  const count = (r: LoadtestReport) => decodeHistogram(rep(r)?.histogram ?? '').totalCount;
  const table = new Table({
    head: ['run', 'scheduled', 'histogram count', 'errors', 'p50 ms', 'p90 ms', 'p99 ms', 'verdict'],
  });
  const row = (name: string, r: LoadtestReport) => {
    const e = rep(r)?.errors;
    table.push([
      name,
      rep(r)?.scheduled,
      count(r),
      (e?.status ?? 0) + (e?.network ?? 0) + (e?.timeout ?? 0),
      f(rep(r)?.latency.p50, 3),
      f(rep(r)?.latency.p90, 3),
      f(rep(r)?.latency.p99, 3),
      r.verdict,
    ]);
  };
  for (let i = 0; i < repeats; i++) {
    row(`single, full rate (${i + 1})`, singles[i] as LoadtestReport);
    row(`shards 1/2 + 2/2, merged (${i + 1})`, merges[i] as LoadtestReport);
  }
  const within = (metric: 'p50' | 'p90' | 'p99') => {
    const single = singles.map((r) => rep(r)?.latency[metric] ?? 0);
    const [low, high] = [Math.min(...single), Math.max(...single)];
    const spread = high - low;
    return merges.every((r) => {
      const m = rep(r)?.latency[metric] ?? 0;
      return m >= low - spread && m <= high + spread;
    });
  };
  const exact = merges.every(
    (m) =>
      count(m) === count(singles[0] as LoadtestReport) &&
      rep(m)?.scheduled === rep(singles[0] as LoadtestReport)?.scheduled,
  );
  console.log(
    `\nopen model, ${rate} req/s, 20 connections, 10 s: two half-rate shards merged vs single full-rate runs, interleaved; ${where()}; load average ${loadAverage()}\n${table.toString()}`,
  );
  console.log(
    `merged histogram counts equal the single runs': ${exact}; merged percentiles within the single runs' range ± their spread: p50 ${within('p50')}, p90 ${within('p90')}, p99 ${within('p99')}`,
  );
  const summary = (r: LoadtestReport) => ({
    scheduled: rep(r)?.scheduled,
    count: count(r),
    latency: rep(r)?.latency,
    verdict: r.verdict,
  });
  results.merge = { rate, singles: singles.map(summary), merges: merges.map(summary), exact };
}
