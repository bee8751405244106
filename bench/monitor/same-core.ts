// Two variants at the same moment on one CPU core: both servers are pinned to
// core 0 and loaded at once from this process, pinned to core 1. The kernel
// gives each server half the core, so their req/s ratio is their ratio of
// CPU cost per request, and the machine's drift, which moves both alike,
// cancels. Sharing a core leaves the caches colder than a core of one's own,
// so memory-bound costs weigh more than in `run.ts`: use it to compare two
// versions or parts, and `run.ts` for the figures.
//
// PAIR="perfkit,perfkit + Server-Timing" RUNS=6 SECONDS=8 pnpm run monitor:same-core
import { execFileSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import autocannon from 'autocannon';
import { median } from '../support/stats.js';
import { type Server, startServer } from './servers.js';
import { parseVariants, type Variant } from './variants.js';

const RUNS = Number(process.env.RUNS ?? 6);
const SECONDS = Number(process.env.SECONDS ?? 8);
const WARMUP_SECONDS = 3;
const CONNECTIONS = 50;
const SERVER_CORE = 0;
const LOAD_CORE = 1;

function pair(list = process.env.PAIR ?? 'bare express,perfkit'): [Variant, Variant] {
  const names = parseVariants(list);
  if (names.length !== 2) throw new Error(`PAIR must name two variants, comma-separated; got "${list}"`);
  return names as [Variant, Variant];
}

/** Req/s of both servers loaded at once for `seconds`. */
async function loadBoth(servers: Server[], seconds: number): Promise<number[]> {
  const results = await Promise.all(
    servers.map(({ url }) => autocannon({ url, connections: CONNECTIONS, duration: seconds })),
  );
  return results.map((result) => result.requests.total / result.duration);
}

if (availableParallelism() < 2) throw new Error('same-core needs two CPU cores');
const [a, b] = pair();
execFileSync('taskset', ['-p', '-c', String(LOAD_CORE), String(process.pid)], { stdio: 'ignore' });
const ratios: number[] = [];
for (let run = 0; run < RUNS; run++) {
  const pinned = { runner: ['taskset', '-c', String(SERVER_CORE)] };
  const servers = [await startServer(a, pinned), await startServer(b, pinned)];
  try {
    await loadBoth(servers, WARMUP_SECONDS);
    const [rpsA, rpsB] = (await loadBoth(servers, SECONDS)) as [number, number];
    ratios.push(rpsB / rpsA);
    console.log(
      `run ${run + 1}/${RUNS}: ${a} ${Math.round(rpsA)} req/s, ${b} ${Math.round(rpsB)} req/s, ${b} loses ${((1 - rpsB / rpsA) * 100).toFixed(1)}%`,
    );
  } finally {
    for (const { child } of servers) child.kill();
  }
}
console.log(
  `\n${b} against ${a}, on one shared core, ${RUNS} runs of ${SECONDS} s: median throughput loss ${((1 - median(ratios)) * 100).toFixed(1)}% (runs: ${ratios.map((r) => ((1 - r) * 100).toFixed(1)).join(' ')})`,
);
