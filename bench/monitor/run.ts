// Bare Express vs Express with @perfkit/monitor (Server-Timing off / on,
// access log on) vs Express with express-prom-bundle: one trivial route,
// autocannon at 50 connections, runs interleaved so that machine noise hits
// every variant alike; losses are medians of per-run ratios against bare. Besides
// autocannon's req/s, each server reports the CPU time it spent per request:
// on a CPU-bound server, capacity is its inverse, and unlike wall-clock
// throughput it does not move with whatever else runs on the machine.
// SIMULTANEOUS=1 loads every variant at once, each from its own autocannon
// process, so that even second-to-second noise hits all of them alike.
import { type ChildProcess, execFile, fork } from 'node:child_process';
import { once } from 'node:events';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import autocannon from 'autocannon';
import Table from 'cli-table3';
import { selectedVariants, type Variant } from './variants.js';

const RUNS = Number(process.env.RUNS ?? 5);
const SECONDS = Number(process.env.SECONDS ?? 4);
const CONNECTIONS = 50;
const WARMUP_SECONDS = Number(process.env.WARMUP_SECONDS ?? 3);
const SIMULTANEOUS = process.env.SIMULTANEOUS === '1';
const VARIANTS = selectedVariants();
const AUTOCANNON_CLI = createRequire(import.meta.url).resolve('autocannon/autocannon.js');

interface Sample {
  rps: number;
  p50: number;
  p99: number;
  cpuMicrosPerRequest: number;
}

interface Server {
  child: ChildProcess;
  url: string;
}

async function startServer(variant: Variant): Promise<Server> {
  const child = fork(fileURLToPath(new URL('./server.ts', import.meta.url)), [variant], {
    execArgv: ['--import', 'tsx', '--conditions=@perfkit/source'],
  });
  const [message] = (await once(child, 'message')) as [{ port: number }];
  return { child, url: `http://127.0.0.1:${message.port}/api/agents/42` };
}

async function cpuMicros(child: ChildProcess): Promise<number> {
  child.send('cpu');
  const [message] = (await once(child, 'message')) as [{ cpu: NodeJS.CpuUsage }];
  return message.cpu.user + message.cpu.system;
}

type LoadResult = Pick<autocannon.Result, 'non2xx' | 'errors' | 'requests' | 'latency'>;

async function inProcess(url: string, seconds: number): Promise<LoadResult> {
  return autocannon({ url, connections: CONNECTIONS, duration: seconds });
}

async function inChildProcess(url: string, seconds: number): Promise<LoadResult> {
  const args = [AUTOCANNON_CLI, '-j', '-c', String(CONNECTIONS), '-d', String(seconds), url];
  const { stdout } = await promisify(execFile)(process.execPath, args, { maxBuffer: 1 << 24 });
  return JSON.parse(stdout) as LoadResult;
}

async function load(
  { child, url }: Server,
  seconds: number,
  generate: (url: string, seconds: number) => Promise<LoadResult> = inProcess,
): Promise<Sample> {
  const cpuBefore = await cpuMicros(child);
  const result = await generate(url, seconds);
  const cpu = (await cpuMicros(child)) - cpuBefore;
  if (result.non2xx > 0 || result.errors > 0) {
    throw new Error(`${url}: ${result.non2xx} non-2xx, ${result.errors} errors`);
  }
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    cpuMicrosPerRequest: cpu / result.requests.total,
  };
}

/**
 * A fresh server per variant and run, warmed up before it is measured: a
 * process's JIT and heap settle differently from one start to the next, and
 * one long-lived process per variant would carry that luck into every run.
 */
async function startWarm(variant: Variant): Promise<Server> {
  const server = await startServer(variant);
  await load(server, WARMUP_SECONDS);
  return server;
}

/** One run of every variant: one after the other in a rotating order, or all at once. */
async function runOnce(run: number): Promise<Map<Variant, Sample>> {
  if (SIMULTANEOUS) {
    const servers = await Promise.all(VARIANTS.map(startWarm));
    try {
      const results = await Promise.all(servers.map((server) => load(server, SECONDS, inChildProcess)));
      return new Map(VARIANTS.map((v, i) => [v, results[i] as Sample]));
    } finally {
      for (const { child } of servers) child.kill();
    }
  }
  // Rotate the order each run, so no variant always goes first or last.
  const order = VARIANTS.map((_, i) => VARIANTS[(i + run) % VARIANTS.length] as Variant);
  const results = new Map<Variant, Sample>();
  for (const variant of order) {
    const server = await startWarm(variant);
    try {
      results.set(variant, await load(server, SECONDS));
    } finally {
      server.child.kill();
    }
  }
  return results;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

const samples = new Map<Variant, Sample[]>(VARIANTS.map((v) => [v, []]));
for (let run = 0; run < RUNS; run++) {
  for (const [variant, sample] of await runOnce(run)) {
    samples.get(variant)?.push(sample);
    const cpu = sample.cpuMicrosPerRequest.toFixed(1);
    console.error(
      `run ${run + 1}/${RUNS} ${variant}: ${Math.round(sample.rps)} req/s, p99 ${sample.p99} ms, ${cpu} µs CPU/req`,
    );
  }
}
const bareSamples = samples.get('bare express') ?? [];
// Each run's figure is divided by bare's figure of the same run, the
// nearest in time, and the median of those ratios is reported: slow
// phases of the machine then cancel instead of landing on one variant.
const pairedLoss = (list: Sample[], ratio: (sample: Sample, bare: Sample) => number) =>
  `${((1 - median(list.map((s, run) => ratio(s, bareSamples[run] as Sample)))) * 100).toFixed(1)}%`;
const table = new Table({
  head: [
    'variant',
    'req/s (median)',
    'throughput loss',
    'p50 ms',
    'p99 ms',
    'CPU µs/req',
    'capacity loss (CPU)',
    'runs (req/s)',
  ],
});
for (const variant of VARIANTS) {
  const list = samples.get(variant) ?? [];
  table.push([
    variant,
    Math.round(median(list.map((s) => s.rps))),
    pairedLoss(list, (s, bare) => s.rps / bare.rps),
    median(list.map((s) => s.p50)),
    median(list.map((s) => s.p99)),
    median(list.map((s) => s.cpuMicrosPerRequest)).toFixed(1),
    pairedLoss(list, (s, bare) => bare.cpuMicrosPerRequest / s.cpuMicrosPerRequest),
    list.map((s) => Math.round(s.rps)).join(' '),
  ]);
}
console.log(
  `\n${RUNS} ${SIMULTANEOUS ? 'simultaneous' : 'interleaved'} runs of ${SECONDS} s per variant, ${CONNECTIONS} connections, autocannon 9`,
);
console.log(table.toString());
