/**
 * Validation of perf-cli's load generator and regression gate, side by side
 * with wrk in one run. Not part of CI: needs `apt-get install -y wrk`.
 *
 *   pnpm --filter @perfkit/bench run cli               # everything (~20 min)
 *   pnpm --filter @perfkit/bench run cli wrk           # issue 7: the wrk comparisons
 *   pnpm --filter @perfkit/bench run cli stall         # issue 7: the stalling server
 *   pnpm --filter @perfkit/bench run cli gate          # issue 7: the gate runs
 *   pnpm --filter @perfkit/bench run cli throughput    # issue 18: --workers N vs wrk -tN (ROUNDS, SECONDS)
 *   pnpm --filter @perfkit/bench run cli saturation    # issue 18: --workers 1 where the generator is the limit
 *   pnpm --filter @perfkit/bench run cli stall-workers # issue 18: the stalling server with 2 workers
 *   pnpm --filter @perfkit/bench run cli merge         # issue 18: two half-rate shards merged vs full-rate runs
 *
 * Servers run in their own process, as wrk's targets would; everything
 * listens on 127.0.0.1. Issue 18's parts pin the target to core 0 and the
 * generators (wrk, perf-cli as its own process) to the others.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { compareReports, type LoadtestReport, parseTargetFlag, runLoadtest } from '@perfkit/cli';
import Table from 'cli-table3';
import { merge, saturation, stallWorkers, throughput } from './generator.js';
import { f, loadAverage, wrk as runWrk, type ServerMode, startServer as startUnpinned } from './servers.js';

/** Issue 7's checks: wrk with one thread and servers unpinned, perf-cli in this process. */
const wrk = (url: string, connections: number, seconds: number) => runWrk(url, { connections, seconds });
const startServer = (mode: ServerMode, value: number) => startUnpinned(mode, value, '');

const within = (a: number, b: number, rel: number, absMs = 0) =>
  Math.abs(a - b) <= Math.max(rel * Math.abs(b), absMs);
const results: Record<string, unknown> = {
  machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, node: process.version },
};

async function wrkComparisons() {
  const table = new Table({ head: ['check', 'wrk', 'perf-cli', 'criterion', 'met'] });
  const connections = 10;
  const seconds = 5;

  const fast = await startServer('express', 0);
  const w = await wrk(fast.url, connections, seconds);
  const ours = await runLoadtest({
    targets: [parseTargetFlag(`fast=${fast.url}`)],
    model: 'closed',
    connections,
    durationMs: seconds * 1000,
    warmupMs: 1000,
    repetitions: 1,
  });
  fast.stop();
  const oursRps = ours.targets[0]?.rps ?? 0;
  table.push([
    'Express res.json req/s (closed, 10 conn, 5 s)',
    f(w.rps, 0),
    f(oursRps, 0),
    'within 10%',
    String(within(oursRps, w.rps, 0.1)),
  ]);

  const slow = await startServer('latency', 20);
  const ws = await wrk(slow.url, connections, seconds);
  const run = {
    targets: [parseTargetFlag(`slow=${slow.url}`)],
    connections,
    durationMs: seconds * 1000,
    warmupMs: 1000,
    repetitions: 1,
  };
  const closed = await runLoadtest({ ...run, model: 'closed' });
  const open = await runLoadtest({ ...run, model: 'open', rate: 200 });
  slow.stop();
  const c = closed.targets[0]?.latency;
  const o = open.targets[0]?.latency;
  for (const [model, latency] of [
    ['closed', c],
    ['open, 200/s', o],
  ] as const) {
    for (const p of ['p50', 'p99'] as const) {
      table.push([
        `20 ms endpoint ${p} ms (${model})`,
        f(ws[p]),
        f(latency?.[p]),
        'max(10%, 1 ms)',
        String(within(latency?.[p] ?? 0, ws[p], 0.1, 1)),
      ]);
    }
  }
  console.log(`\nperf-cli vs wrk (load average ${loadAverage()})\n${table.toString()}`);
  results.wrk = {
    fast: { wrkRps: w.rps, oursRps },
    slow: { wrk: { p50: ws.p50, p99: ws.p99 }, closed: c, open: o },
  };
}

async function stall() {
  const server = await startServer('stall', 100);
  const table = new Table({ head: ['generator', 'p50 ms', 'p99 ms', 'max ms', 'note'] });
  const rate = Number(process.env.STALL_RATE ?? 1000);
  const open = await runLoadtest({
    targets: [parseTargetFlag(`stall=${server.url}`)],
    model: 'open',
    rate,
    connections: 50,
    durationMs: 10_000,
    warmupMs: 1000,
    repetitions: 1,
  });
  const closed = await runLoadtest({
    targets: [parseTargetFlag(`stall=${server.url}`)],
    model: 'closed',
    connections: 10,
    durationMs: 10_000,
    warmupMs: 1000,
    repetitions: 1,
  });
  const w = await wrk(server.url, 10, 10);
  server.stop();
  const o = open.targets[0];
  const c = closed.targets[0];
  table.push([
    `perf-cli open model, ${rate}/s`,
    f(o?.latency.p50),
    f(o?.latency.p99),
    f(o?.latency.max),
    `late ${o?.late}, dropped ${o?.dropped}${open.inconclusive.length ? ', INCONCLUSIVE' : ''}`,
  ]);
  table.push([
    'perf-cli closed model, 10 conn, corrected like wrk',
    f(c?.latency.p50),
    f(c?.latency.p99),
    f(c?.latency.max),
    'per-connection mean interval',
  ]);
  table.push([
    'perf-cli closed model, 10 conn, uncorrected',
    f(c?.uncorrectedLatency?.p50),
    f(c?.uncorrectedLatency?.p99),
    f(c?.uncorrectedLatency?.max),
    'labelled uncorrected',
  ]);
  table.push(['wrk, 10 conn', f(w.p50), f(w.p99), '', 'wrk 4 correction']);
  const p99 = o?.latency.p99 ?? 0;
  console.log(
    `\nserver stalling 100 ms once a second (expected p99 ≈ 91 ms; load average ${loadAverage()})\n${table.toString()}`,
  );
  console.log(`open-model p99 within 10% of 91 ms: ${within(p99, 91, 0.1)} (${f(p99)} ms)`);
  results.stall = {
    rate,
    open: o?.latency,
    openLate: o?.late,
    openDropped: o?.dropped,
    openInconclusive: open.inconclusive,
    closed: c?.latency,
    closedUncorrected: c?.uncorrectedLatency,
    wrk: { p50: w.p50, p99: w.p99 },
  };
}

async function gate() {
  const runs = Number(process.env.GATE_RUNS ?? 20);
  const durationMs = Number(process.env.GATE_DURATION_MS ?? 1000);
  const base = await startServer('latency', 20);
  const slower = await startServer('latency', 24);
  // Same target name and path on both servers: only the port differs, which compare ignores.
  const measure = (url: string) =>
    runLoadtest({
      targets: [parseTargetFlag(`api=${url}`)],
      model: 'open',
      rate: 50,
      connections: 10,
      durationMs,
      warmupMs: 300,
      repetitions: 6,
    });
  let falseAlarms = 0;
  let aaInconclusive = 0;
  let detections = 0;
  let regInconclusive = 0;
  const shifts: number[] = [];
  for (let i = 0; i < runs; i++) {
    // Interleaved, so machine drift hits A/A and A/B pairs alike.
    const a1: LoadtestReport = await measure(base.url);
    const a2 = await measure(base.url);
    const b = await measure(slower.url);
    const aa = compareReports(a1, a2);
    const ab = compareReports(a2, b);
    if (aa.verdict === 'regression') falseAlarms++;
    if (aa.verdict === 'inconclusive') aaInconclusive++;
    if (ab.verdict === 'regression') detections++;
    if (ab.verdict === 'inconclusive') regInconclusive++;
    shifts.push(ab.targets[0]?.metrics[0]?.shift ?? Number.NaN);
    process.stderr.write(
      `gate run ${i + 1}/${runs}: A/A ${aa.verdict}, +20% ${ab.verdict} (p50 shift ${f((shifts.at(-1) ?? 0) * 100, 1)}%)\n`,
    );
    for (const reason of new Set([...aa.reasons, ...ab.reasons].filter((r) => r.includes('repetition')))) {
      process.stderr.write(`  ${reason}\n`);
    }
  }
  base.stop();
  slower.stop();
  const table = new Table({
    head: [
      'gate (alpha 1%, 6 + 6 repetitions, p50 + p99)',
      'runs',
      'flagged',
      'inconclusive',
      'criterion',
      'met',
    ],
  });
  table.push([
    'A/A (20 ms vs 20 ms)',
    runs,
    falseAlarms,
    aaInconclusive,
    '0 false alarms',
    String(falseAlarms === 0),
  ]);
  table.push([
    '+20% injected (20 ms vs 24 ms)',
    runs,
    detections,
    regInconclusive,
    `>= ${Math.ceil(runs * 0.9)} detections`,
    String(detections >= Math.ceil(runs * 0.9)),
  ]);
  console.log(`\nregression gate (load average ${loadAverage()})\n${table.toString()}`);
  results.gate = { runs, durationMs, falseAlarms, aaInconclusive, detections, regInconclusive, shifts };
}

const only = process.argv.slice(2).filter((a) => a !== '--');
const wanted = (name: string) => only.length === 0 || only.includes(name);
if (wanted('wrk')) await wrkComparisons();
if (wanted('stall')) await stall();
if (wanted('gate')) await gate();
if (wanted('throughput')) await throughput(results);
if (wanted('saturation')) await saturation(results);
if (wanted('stall-workers')) await stallWorkers(results);
if (wanted('merge')) await merge(results);
mkdirSync(new URL('../results/', import.meta.url), { recursive: true });
writeFileSync(new URL('../results/cli.json', import.meta.url), `${JSON.stringify(results, null, 2)}\n`);
