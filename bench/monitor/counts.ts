// Deterministic per-request costs of each variant, which the machine's load
// cannot move, unlike req/s:
// - inline-cache misses: node's --log-ic logs every property access that
//   missed its call site's cache and went to V8's runtime (the monitor
//   README's Benchmark says why that is the middleware's cost model);
// - instructions on the main thread, counted by callgrind (valgrind), which
//   leaves out the JIT's and GC's helper threads.
// Each variant runs in its own process: WARMUP requests, SETTLE more after
// the counting starts, then REQUESTS counted ones.
//
// From bench/: COUNT=ic,instructions VARIANTS="perfkit,perfkit + Server-Timing" \
//   npx tsx --conditions=@perfkit/source monitor/counts.ts
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import autocannon from 'autocannon';
import Table from 'cli-table3';
import { type Server, startServer, stopServer } from './servers.js';
import { selectedVariants, type Variant } from './variants.js';

const REQUESTS = Number(process.env.REQUESTS ?? 3000);
const WARMUP = Number(process.env.WARMUP ?? 6000);
const SETTLE = 500;
// Few connections and a long timeout: under callgrind a server is about a hundred times slower.
const CONNECTIONS = 10;

interface Counter {
  name: string;
  /** How to run the server so that it writes its counts into `dir`. */
  run(dir: string): { runner?: string[]; nodeArgs?: string[] };
  /** Called after the warm-up, before the settling requests. */
  begin(server: Server): Promise<void>;
  /** The count so far, once the server has settled. */
  mark(server: Server, dir: string): Promise<number>;
  /** The count at the end of the counted requests; the server exits. */
  end(server: Server, dir: string): Promise<number>;
}

const IC_MISS =
  /^(LoadIC|StoreIC|KeyedLoadIC|KeyedStoreIC|LoadGlobalIC|StoreGlobalIC|StoreInArrayLiteralIC|DefineNamedOwnIC|DefineKeyedOwnIC),/gm;

async function icMisses(dir: string): Promise<number> {
  let misses = 0;
  // One log per isolate: tsx's loader thread writes one too.
  for (const file of await readdir(dir)) {
    misses += (await readFile(join(dir, file), 'utf8')).match(IC_MISS)?.length ?? 0;
  }
  return misses;
}

const callgrindControl = (option: string, { child }: Server) =>
  promisify(execFile)('callgrind_control', [option, String(child.pid)]);

const COUNTERS: Record<string, Counter> = {
  ic: {
    name: 'IC misses per request',
    run: (dir) => ({ nodeArgs: ['--log-ic', `--logfile=${join(dir, 'ic.log')}`] }),
    begin: async () => {},
    // V8 buffers its log a little; against thousands of lines per request batch, that is noise.
    mark: (_server, dir) => icMisses(dir),
    async end(server, dir) {
      await stopServer(server);
      return icMisses(dir);
    },
  },
  instructions: {
    name: 'instructions per request (main thread)',
    // Start-up and warm-up run uninstrumented, several times faster.
    run: (dir) => ({
      runner: [
        'valgrind',
        '--tool=callgrind',
        '--instr-atstart=no',
        '--separate-threads=yes',
        // V8 rewrites code it generated; valgrind must notice it anywhere.
        '--smc-check=all-non-file',
        `--callgrind-out-file=${join(dir, 'callgrind.out')}`,
      ],
    }),
    begin: async (server) => void (await callgrindControl('--instr=on', server)),
    async mark(server) {
      await callgrindControl('--zero', server);
      return 0;
    },
    async end(server, dir) {
      await callgrindControl('--dump', server);
      await stopServer(server);
      // The dump of thread 1, the main thread: `callgrind.out.1-01`.
      const text = await readFile(join(dir, 'callgrind.out.1-01'), 'utf8');
      const totals = /^(?:totals|summary): (\d+)/m.exec(text);
      if (totals === null) throw new Error(`no totals in ${dir}/callgrind.out.1-01`);
      return Number(totals[1]);
    },
  },
};

async function load(server: Server, variant: Variant, amount: number): Promise<number> {
  const result = await autocannon({ url: server.url, connections: CONNECTIONS, amount, timeout: 300 });
  if (result.non2xx > 0 || result.errors > 0) {
    throw new Error(
      `${variant}: ${result.non2xx} non-2xx, ${result.errors} errors (${result.timeouts} timeouts)`,
    );
  }
  return result.requests.total;
}

async function perRequest(variant: Variant, counter: Counter): Promise<number> {
  const dir = await mkdtemp(join(tmpdir(), 'monitor-counts-'));
  const server = await startServer(variant, counter.run(dir));
  try {
    await load(server, variant, WARMUP);
    await counter.begin(server);
    await load(server, variant, SETTLE);
    const before = await counter.mark(server, dir);
    const requests = await load(server, variant, REQUESTS);
    return ((await counter.end(server, dir)) - before) / requests;
  } finally {
    server.child.kill();
    await rm(dir, { recursive: true, force: true });
  }
}

const counters = (process.env.COUNT ?? 'ic,instructions').split(',').map((name) => {
  const counter = COUNTERS[name.trim()];
  if (counter === undefined)
    throw new Error(`unknown COUNT ${name}; one of ${Object.keys(COUNTERS).join(', ')}`);
  return counter;
});
const table = new Table({ head: ['variant', ...counters.map((counter) => counter.name)] });
for (const variant of selectedVariants()) {
  const row: string[] = [variant];
  for (const counter of counters) {
    const value = await perRequest(variant, counter);
    console.error(`${variant}: ${counter.name} ${value.toFixed(1)}`);
    row.push(value >= 1000 ? Math.round(value).toLocaleString('en') : value.toFixed(1));
  }
  table.push(row);
}
console.log(
  `Per request, over ${REQUESTS} requests after ${WARMUP + SETTLE} uncounted ones, ${CONNECTIONS} connections`,
);
console.log(table.toString());
