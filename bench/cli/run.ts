/**
 * Validation of perf-cli's load generator and regression gate (issue 7), side
 * by side with wrk in one run. Not part of CI: needs `apt-get install -y wrk`.
 *
 *   pnpm --filter @perfkit/bench run cli            # everything (~10 min)
 *   pnpm --filter @perfkit/bench run cli -- wrk     # only the wrk comparisons
 *   pnpm --filter @perfkit/bench run cli -- stall   # only the stalling server
 *   pnpm --filter @perfkit/bench run cli -- gate    # only the gate runs
 *
 * Servers run in their own process, as wrk's targets would; everything
 * listens on 127.0.0.1.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { promisify } from 'node:util';
import { compareReports, type LoadtestReport, parseTargetFlag, runLoadtest } from '@perfkit/cli';
import Table from 'cli-table3';

const run = promisify(execFile);

/**
 * A server in a child process: Express 5 answering a constant JSON body (the
 * fast endpoint, where the server and not the generator is the bottleneck),
 * or node:http with a fixed latency, or stalling 100 ms once a second.
 */
const SERVER = `
const http = require('node:http');
const [mode, value] = [process.argv[1], Number(process.argv[2])];
const start = Date.now();
const handler = mode === 'express' ? (() => {
  const app = require('express')();
  const body = { status: 'ok', items: [1, 2, 3] };
  app.get('/', (req, res) => res.json(body));
  return app;
})() : (req, res) => {
  const send = () => res.end('ok');
  if (mode === 'stall') {
    const phase = (Date.now() - start) % 1000;
    return phase < value ? setTimeout(send, value - phase) : send();
  }
  return value > 0 ? setTimeout(send, value) : send();
};
const server = http.createServer(handler);
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => process.stdout.write(String(server.address().port) + '\\n'));
`;

interface Server {
  url: string;
  stop(): void;
}

async function startServer(mode: 'express' | 'latency' | 'stall', value: number): Promise<Server> {
  // cwd bench/: the child resolves express from bench's dependencies.
  const child: ChildProcess = spawn(process.execPath, ['-e', SERVER, mode, String(value)], {
    stdio: ['ignore', 'pipe', 'inherit'],
    cwd: new URL('..', import.meta.url),
  });
  const port = await new Promise<string>((resolve) =>
    child.stdout?.once('data', (d: Buffer) => resolve(d.toString().trim())),
  );
  return { url: `http://127.0.0.1:${port}/`, stop: () => child.kill() };
}

/** wrk's summary: requests/s and latency percentiles in ms (wrk 4 corrects with each connection's mean interval). */
async function wrk(url: string, connections: number, seconds: number) {
  const { stdout } = await run('wrk', ['-t1', `-c${connections}`, `-d${seconds}s`, '--latency', url]);
  const toMs = (v: string) => {
    const m = /([\d.]+)(us|ms|s)/.exec(v);
    if (!m) return Number.NaN;
    return Number(m[1]) * (m[2] === 'us' ? 0.001 : m[2] === 's' ? 1000 : 1);
  };
  const pct = (p: string) => toMs(new RegExp(`\\s${p}%\\s+(\\S+)`).exec(stdout)?.[1] ?? '');
  return {
    rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(stdout)?.[1]),
    p50: pct('50'),
    p99: pct('99'),
    raw: stdout,
  };
}

const within = (a: number, b: number, rel: number, absMs = 0) =>
  Math.abs(a - b) <= Math.max(rel * Math.abs(b), absMs);
const f = (v: number | undefined, d = 2) => (v === undefined || Number.isNaN(v) ? 'n/a' : v.toFixed(d));
const results: Record<string, unknown> = {
  machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, node: process.version },
};
const loadAverage = () =>
  os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');

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
mkdirSync(new URL('../results/', import.meta.url), { recursive: true });
writeFileSync(new URL('../results/cli.json', import.meta.url), `${JSON.stringify(results, null, 2)}\n`);
