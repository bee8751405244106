// Issue 16, scenario 7: the optimized app (in a child process, Redis as L2,
// the fake ElevenLabs in-process at its default latency) under a closed loop
// of `--connections` clients for `--minutes`, reads and writes mixed, over
// every tenant of the `small` seed. Judged on: no error at all, the app's
// resident memory floor after the warm-up minute growing less than 10 %, and the
// last minute's p99 within 1.5x of the first minute's.
//   pnpm --filter @perfkit/bench run soak [-- --minutes 10 --connections 50 --write-share 0.2 --scale small --shed-ms 500]
// Results go to bench/results/soak-<scale>.{json,md}. Redis: a redis-server of
// the run's own; the database perfkit_soak_<scale> is seeded afresh and dropped
// at the end.
import { mkdir, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { migrateAndSeed, startAppProcess } from '@perfkit/express-app/load';
import type { SeedScale } from '@perfkit/queries/admin';
import { startPrivateRedis } from '@perfkit/testing';
import Table from 'cli-table3';
import { dropDatabase, scratchDatabase } from '../support/scratch-database.js';
import { type MinuteFigures, MinuteStats, residentKb } from './minute-stats.js';
import { loadSoakTenants, nextRequest, type SoakTenant } from './mixed-traffic.js';

const { values } = parseArgs({
  // pnpm forwards its `--` separator; drop it.
  args: process.argv.slice(2).filter((arg) => arg !== '--'),
  options: {
    minutes: { type: 'string', default: '10' },
    connections: { type: 'string', default: '50' },
    'write-share': { type: 'string', default: '0.2' },
    scale: { type: 'string', default: 'small' },
    'shed-ms': { type: 'string', default: '500' },
  },
});
const minutes = Number(values.minutes);
const connections = Number(values.connections);
const writeShare = Number(values['write-share']);
const scale = values.scale as SeedScale;
/** The app's SHED_EVENT_LOOP_DELAY_MS; its default, 500, unless told otherwise. */
const shedMs = values['shed-ms'];
if (!(minutes >= 2) || !(connections >= 1) || !(writeShare >= 0 && writeShare <= 1)) {
  console.error(
    'usage: soak [--minutes >= 2] [--connections >= 1] [--write-share 0..1] [--scale tiny|small|large]',
  );
  process.exit(2);
}

const SAMPLE_MS = 1_000;
const METRICS_TOKEN = 'soak-metrics-token-0123456789';
const LAG_MAX = /^nodejs_eventloop_lag_max_seconds (\S+)$/m;
const RESULTS = new URL('../results/', import.meta.url);

const log = (line: string) => console.log(`[soak] ${line}`);

const DATABASE = `perfkit_soak_${scale}`;
const url = await scratchDatabase(DATABASE);
log(`seeding ${scale} into ${new URL(url).pathname.slice(1)} and rolling it up…`);
const manifest = await migrateAndSeed(url, scale);
const tenants = await loadSoakTenants(url, manifest);
if (tenants.length === 0) throw new Error(`the ${scale} seed has no tenant with agents`);
// A redis-server of the soak's own: keys, leases and the invalidation bus (pub/sub
// reaches every database of a server) stay apart from whatever else uses Redis.
const redis = await startPrivateRedis();
const app = await startAppProcess({
  DATABASE_URL: url,
  MODE: 'optimized',
  REDIS_URL: redis.url,
  NOW: manifest.anchor,
  SHED_EVENT_LOOP_DELAY_MS: shedMs,
  METRICS_TOKEN,
  ELEVENLABS_BASE_URL: '',
  ELEVENLABS_API_KEY: '',
}).catch(async (error: unknown) => {
  await redis.stop();
  throw error;
});
log(
  `app pid ${app.pid} at ${app.url}; ${connections} connections for ${minutes} min, ` +
    `${writeShare * 100} % writes, shedding above ${shedMs} ms of event-loop delay`,
);

const startedAt = performance.now();
const endsAt = startedAt + minutes * 60_000;
const stats = new MinuteStats(startedAt);
const failures = new Map<string, number>();

/** The path without its query and ids, so failures group by route. */
const route = (path: string) => (path.split('?')[0] ?? path).replace(/\/\d+$/, '/:id');

/** The API's error code from an error body, if it is one. */
function errorCode(text: string): string {
  try {
    return (JSON.parse(text) as { error?: { code?: string } }).error?.code ?? '';
  } catch {
    return '';
  }
}

async function client(): Promise<void> {
  while (performance.now() < endsAt) {
    const tenant = tenants[Math.floor(Math.random() * tenants.length)] as SoakTenant;
    const request = nextRequest(tenant, writeShare);
    const t0 = performance.now();
    let ok = false;
    let failure = '';
    try {
      const response = await fetch(`${app.url}${request.path}`, {
        method: request.method,
        headers: {
          authorization: `Bearer ${request.apiKey}`,
          ...(request.body === undefined ? {} : { 'content-type': 'application/json' }),
          ...request.headers,
        },
        ...(request.body === undefined ? {} : { body: JSON.stringify(request.body) }),
      });
      const text = await response.text();
      ok = response.ok;
      if (ok) request.onSuccess?.(JSON.parse(text));
      else failure = `${request.method} ${route(request.path)} ${response.status} ${errorCode(text)}`;
    } catch (error) {
      failure = `${request.method} ${route(request.path)} ${(error as Error).message}`;
    }
    stats.record(request.kind, performance.now() - t0, ok);
    if (!ok) failures.set(failure, (failures.get(failure) ?? 0) + 1);
  }
}

/** The app's longest event-loop delay since the previous scrape, ms (what its load shedding reacts to). */
async function eventLoopLagMaxMs(): Promise<number> {
  const response = await fetch(`${app.url}/metrics`, {
    headers: { authorization: `Bearer ${METRICS_TOKEN}` },
  });
  return Number(LAG_MAX.exec(await response.text())?.[1] ?? 0) * 1000;
}

const sampler = setInterval(() => {
  residentKb(app.pid).then(
    (kb) => stats.recordRss(kb),
    () => undefined,
  );
  eventLoopLagMaxMs().then(
    (ms) => stats.recordLag(ms),
    () => undefined,
  );
}, SAMPLE_MS);
let exitCode: number | null;
try {
  await Promise.all(Array.from({ length: connections }, () => client()));
} finally {
  clearInterval(sampler);
  exitCode = await app.stop();
  // Every run seeds afresh: nothing is worth keeping.
  await dropDatabase(DATABASE);
  await redis.stop();
}

const figures = stats.figures().filter((minute) => minute.minute <= minutes);
const first = figures[0] as MinuteFigures;
const afterWarmUp = figures[1] as MinuteFigures;
const last = figures.at(-1) as MinuteFigures;
const errors = figures.reduce((sum, minute) => sum + minute.errors, 0);
const rssGrowth = (last.rssFloorMb - afterWarmUp.rssFloorMb) / afterWarmUp.rssFloorMb;
const p99Ratio = last.p99Ms / first.p99Ms;
const verdicts = [
  { criterion: 'errors', measured: String(errors), target: '0', pass: errors === 0 },
  {
    criterion: 'RSS floor growth, minute 2 → last minute',
    measured: `${(rssGrowth * 100).toFixed(1)} % (${afterWarmUp.rssFloorMb.toFixed(0)} → ${last.rssFloorMb.toFixed(0)} MB)`,
    target: '< 10 %',
    pass: rssGrowth < 0.1,
  },
  {
    criterion: 'p99, last minute ÷ first minute',
    measured: `${p99Ratio.toFixed(2)}× (${first.p99Ms.toFixed(0)} → ${last.p99Ms.toFixed(0)} ms)`,
    target: '≤ 1.5×',
    pass: p99Ratio <= 1.5,
  },
];

/** The per-minute table's columns, shared by the console and the Markdown file. */
const COLUMNS: [string, (m: MinuteFigures) => string][] = [
  ['minute', (m) => String(m.minute)],
  ['requests', (m) => String(m.requests)],
  ['reads', (m) => String(m.reads)],
  ['writes', (m) => String(m.writes)],
  ['errors', (m) => String(m.errors)],
  ['p50 ms', (m) => m.p50Ms.toFixed(1)],
  ['p99 ms', (m) => m.p99Ms.toFixed(1)],
  ['max ms', (m) => m.maxMs.toFixed(0)],
  ['app RSS MB', (m) => m.rssMb.toFixed(0)],
  ['RSS floor MB', (m) => m.rssFloorMb.toFixed(0)],
  ['app loop lag max ms', (m) => m.lagMaxMs.toFixed(0)],
];
const rows = figures.map((m) => COLUMNS.map(([, cell]) => cell(m)));
const table = new Table({ head: COLUMNS.map(([head]) => head) });
table.push(...rows);
console.log(table.toString());
for (const v of verdicts)
  log(`${v.pass ? 'PASS' : 'FAIL'} ${v.criterion}: ${v.measured} (target ${v.target})`);
if (failures.size > 0) log(`failures: ${JSON.stringify(Object.fromEntries(failures))}`);
log(`app exited with code ${exitCode}`);

const markdown = [
  `| ${COLUMNS.map(([head]) => head).join(' | ')} |`,
  `| ${COLUMNS.map(([head]) => `${'-'.repeat(head.length - 1)}:`).join(' | ')} |`,
  ...rows.map((row) => `| ${row.join(' | ')} |`),
  '',
  ...verdicts.map((v) => `- ${v.pass ? 'pass' : 'FAIL'}: ${v.criterion}: ${v.measured} (target ${v.target})`),
].join('\n');
await mkdir(RESULTS, { recursive: true });
const run = {
  at: new Date().toISOString(),
  node: process.version,
  scale,
  minutes,
  connections,
  writeShare,
  shedEventLoopDelayMs: Number(shedMs),
  figures,
  verdicts,
  failures: Object.fromEntries(failures),
};
await writeFile(new URL(`soak-${scale}.json`, RESULTS), `${JSON.stringify(run, null, 2)}\n`);
await writeFile(new URL(`soak-${scale}.md`, RESULTS), `${markdown}\n`);
process.exitCode = verdicts.every((v) => v.pass) && exitCode === 0 ? 0 : 1;
