// Bare Express vs Express with @perfkit/monitor (Server-Timing off / on,
// access log on) vs Express with express-prom-bundle: one trivial route,
// autocannon at 50 connections. This machine's speed drifts by up to 2x over
// tens of seconds, so variants are compared in short slices: each run starts
// a fresh server per variant and loads them in turn for SLICE_SECONDS,
// WARMUP_ROUNDS + SLICES rounds, each in a new random order. Every variant's
// run figure then spans the same stretch of time as bare's, and a run's loss is its ratio to
// bare in that run; the table reports medians over runs. Besides req/s, each
// server reports the CPU time it spent per request: on a CPU-bound server,
// capacity is its inverse.
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import autocannon from 'autocannon';
import Table from 'cli-table3';
import { median } from '../support/stats.js';
import { type Server, startServer } from './servers.js';
import { selectedVariants, type Variant } from './variants.js';

const RUNS = Number(process.env.RUNS ?? 5);
const SLICES = Number(process.env.SLICES ?? 6);
const SLICE_SECONDS = Number(process.env.SLICE_SECONDS ?? 1);
const CONNECTIONS = 50;
const WARMUP_ROUNDS = Number(process.env.WARMUP_ROUNDS ?? 3);
const VARIANTS = selectedVariants();

interface Sample {
  rps: number;
  /** Req/s of each measured round's slice, in round order. */
  sliceRps: number[];
  p50: number;
  p99: number;
  cpuMicrosPerRequest: number;
}

async function cpuMicros(child: ChildProcess): Promise<number> {
  child.send('cpu');
  const [message] = (await once(child, 'message')) as [{ cpu: NodeJS.CpuUsage }];
  return message.cpu.user + message.cpu.system;
}

/** Requests, CPU time and latency percentiles of one variant over one run's slices. */
class RunTotals {
  requests = 0;
  seconds = 0;
  cpuMicros = 0;
  p50s: number[] = [];
  p99s: number[] = [];
  sliceRps: number[] = [];

  sample(): Sample {
    return {
      rps: this.requests / this.seconds,
      sliceRps: this.sliceRps,
      p50: median(this.p50s),
      p99: median(this.p99s),
      cpuMicrosPerRequest: this.cpuMicros / this.requests,
    };
  }
}

/** Loads `url` for `seconds`; with `totals`, the slice is measured and added to them. */
async function load({ child, url }: Server, seconds: number, totals?: RunTotals): Promise<void> {
  const cpuBefore = totals === undefined ? 0 : await cpuMicros(child);
  const result = await autocannon({ url, connections: CONNECTIONS, duration: seconds });
  if (result.non2xx > 0 || result.errors > 0) {
    throw new Error(`${url}: ${result.non2xx} non-2xx, ${result.errors} errors`);
  }
  if (totals === undefined) return;
  totals.cpuMicros += (await cpuMicros(child)) - cpuBefore;
  totals.requests += result.requests.total;
  totals.seconds += result.duration;
  totals.p50s.push(result.latency.p50);
  totals.p99s.push(result.latency.p99);
  totals.sliceRps.push(result.requests.total / result.duration);
}

/** `variants` in a random order. */
function shuffled(variants: readonly Variant[]): Variant[] {
  const order = [...variants];
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [order[i], order[j]] = [order[j] as Variant, order[i] as Variant];
  }
  return order;
}

/**
 * One run: a fresh server per variant (a process's JIT and heap settle
 * differently from one start to the next), loaded in slices, round-robin:
 * WARMUP_ROUNDS unmeasured rounds, then SLICES measured ones. Warming up in
 * rounds too leaves every server idle equally long before it is measured
 * (warmed up one after the other, in a run of seven variants all six came
 * out faster than bare, which was warmed up first and waited longest).
 * Each round takes a new random order, so that no variant always follows
 * the same one: a slice can inherit its predecessor's aftermath, and a fixed
 * order would hand it to the same variant every time.
 */
async function runOnce(): Promise<Map<Variant, Sample>> {
  const servers = new Map<Variant, Server>();
  try {
    for (const variant of VARIANTS) servers.set(variant, await startServer(variant));
    const totals = new Map(VARIANTS.map((variant) => [variant, new RunTotals()]));
    for (let round = 0; round < WARMUP_ROUNDS + SLICES; round++) {
      for (const variant of shuffled(VARIANTS)) {
        const measured = round >= WARMUP_ROUNDS;
        await load(servers.get(variant) as Server, SLICE_SECONDS, measured ? totals.get(variant) : undefined);
      }
    }
    return new Map(VARIANTS.map((variant) => [variant, (totals.get(variant) as RunTotals).sample()]));
  } finally {
    for (const { child } of servers.values()) child.kill();
  }
}

const samples = new Map<Variant, Sample[]>(VARIANTS.map((v) => [v, []]));
for (let run = 0; run < RUNS; run++) {
  for (const [variant, sample] of await runOnce()) {
    samples.get(variant)?.push(sample);
    const cpu = sample.cpuMicrosPerRequest.toFixed(1);
    const slices = sample.sliceRps.map(Math.round).join(' ');
    console.error(
      `run ${run + 1}/${RUNS} ${variant}: ${Math.round(sample.rps)} req/s, p99 ${sample.p99} ms, ${cpu} µs CPU/req, slices ${slices}`,
    );
  }
}
const bareSamples = samples.get('bare express') ?? [];
// Each run's figure is divided by bare's figure of the same run, the
// nearest in time, and the median of those ratios is reported: slow
// phases of the machine then cancel instead of landing on one variant.
const pairedLoss = (list: Sample[], ratio: (sample: Sample, bare: Sample) => number) =>
  `${((1 - median(list.map((s, run) => ratio(s, bareSamples[run] as Sample)))) * 100).toFixed(1)}%`;
// The same pairing one level down: each slice against bare's slice of the
// same round, seconds apart rather than a minute. On a machine whose other
// load comes and goes within a run, this pairing is the tighter one.
function roundLoss(list: Sample[]): string {
  const ratios = list.flatMap((sample, run) => {
    const bare = (bareSamples[run] as Sample).sliceRps;
    return sample.sliceRps.map((rps, round) => rps / (bare[round] as number));
  });
  return `${((1 - median(ratios)) * 100).toFixed(1)}%`;
}
const table = new Table({
  head: [
    'variant',
    'req/s (median)',
    'throughput loss',
    'loss, per round',
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
    roundLoss(list),
    median(list.map((s) => s.p50)),
    median(list.map((s) => s.p99)),
    median(list.map((s) => s.cpuMicrosPerRequest)).toFixed(1),
    pairedLoss(list, (s, bare) => bare.cpuMicrosPerRequest / s.cpuMicrosPerRequest),
    list.map((s) => Math.round(s.rps)).join(' '),
  ]);
}
console.log(
  `\n${RUNS} runs of ${WARMUP_ROUNDS} warm-up and ${SLICES} measured rounds, ${SLICE_SECONDS} s per variant each, in random order; ${CONNECTIONS} connections, autocannon 9`,
);
console.log(table.toString());
