/**
 * The suite itself; run it through run.ts (`pnpm --filter @perfkit/bench run
 * app`), which runs this file in a clean export of the last commit. Options
 * and what is measured: see run.ts.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { startPrivateRedis } from '@perfkit/testing';
import { startRemoteFake } from '../external/remote-fake.js';
import { StartedProcesses, type Stoppable } from '../support/started-processes.js';
import { apiPaths, prepareDataset } from './dataset.js';
import { addMeasured, type LoadSpec, loadTenants, type Measured } from './load.js';
import { buildSubjects, pin, startApp, startCeiling, startCpuHog } from './processes.js';
import {
  type Api,
  claimTables,
  type ExactP99,
  evaluateClaims,
  ms,
  type Row,
  resultTables,
  type Shape,
} from './report.js';
import {
  addBuckets,
  type Buckets,
  bucketQuantile,
  bucketsBetween,
  readWindowLatency,
  scrapeMetrics,
} from './server-metrics.js';
import { measureWriteVisibility, type VisibilityResult } from './write-visibility.js';

const { values } = parseArgs({
  // pnpm forwards its `--` separator; drop it.
  args: process.argv.slice(2).filter((arg) => arg !== '--'),
  options: {
    duration: { type: 'string', default: '6000' },
    'tenant-duration': { type: 'string', default: '100' },
    repetitions: { type: 'string', default: '3' },
    'naive-duration': { type: 'string', default: '60000' },
    writes: { type: 'string', default: '50' },
    skip: { type: 'string', default: '' },
    label: { type: 'string', default: '' },
  },
});
const CONNECTIONS = 50;
const TENANTS = 100;
const repetitions = Number(values.repetitions);
const skip = new Set(values.skip.split(',').filter(Boolean));
// One repetition per load test: the suite interleaves the load tests itself, warming the caches before each.
const heavySpec: LoadSpec = {
  connections: CONNECTIONS,
  durationMs: Number(values.duration),
  repetitions: 1,
  timeoutMs: 60_000,
};
const roundRobinSpec: LoadSpec = { ...heavySpec, durationMs: Number(values['tenant-duration']) };
const specFor = (shape: Shape) => (shape === 'heavy' ? heavySpec : roundRobinSpec);
// A naive heavy request takes seconds at 50 connections: one long run per API, and one round per tenant.
const naiveHeavySpec: LoadSpec = {
  connections: CONNECTIONS,
  durationMs: Number(values['naive-duration']),
  repetitions: 1,
  timeoutMs: 600_000,
};
const naiveRoundRobinSpec: LoadSpec = { ...naiveHeavySpec, durationMs: 1 };
const METRICS_TOKEN = randomBytes(16).toString('hex');
// The apps' monitor window, of which the last 5/6 at least is read: a cold run fits in it (the longest,
// round-robin agents, took 41 s in run 9), and idling this long before one leaves it holding only that
// run, whose exact p99 /metrics/snapshot then gives.
const MONITOR_WINDOW_MS = 60_000;
// A naive run lasts up to several minutes: each runs in a naive app of its own, whose window (an hour)
// holds that run alone.
const NAIVE_MONITOR_WINDOW_MS = 3_600_000;
const SHED_THRESHOLD_MS = 500; // the app's default SHED_EVENT_LOOP_DELAY_MS, left as is
const APP_CPU = '1';
const GENERATOR_CPU = '0';

const lines: string[] = [];
const log = (line = '') => {
  console.log(line);
  lines.push(line);
};
const loadAverage = () =>
  os
    .loadavg()
    .map((n) => n.toFixed(2))
    .join(' / ');

const dataset = await prepareDataset(TENANTS, log);
const { manifest, heavy, spread } = dataset;
const spreadKeys = spread.map((user) => user.apiKey);
const paths = apiPaths(manifest);
const APIS = Object.keys(paths) as Api[];
const SHAPES: Shape[] = ['heavy', 'round-robin'];
log(
  `large: ${manifest.counts.calls} calls, ${manifest.counts.leads} leads; heavy tenant ${heavy.id}: ${heavy.agents} agents, ${heavy.calls} calls; ` +
    `round-robin over ${spread.length} tenants (${Math.min(...spread.map((u) => u.agents))}–${Math.max(...spread.map((u) => u.agents))} agents each)`,
);
// Set by run.ts, which runs this file in an export of that commit.
const COMMIT = process.env.PERFKIT_BENCH_COMMIT ?? 'the working tree (not through run.ts)';
log(
  `machine: ${os.cpus()[0]?.model} × ${os.cpus().length}, Node ${process.version}; load average ${loadAverage()}; code: ${COMMIT}`,
);
await buildSubjects(log);

const processes = new StartedProcesses();
const started = <T extends Stoppable>(process: T): T => processes.add(process);

/** A process loaded by a call: an app variant (monitored through `/metrics`) or the ceiling. */
interface Subject {
  variant: string;
  url: string;
  monitored: boolean;
  /**
   * Read each run's exact p99 from `/metrics/snapshot`, after idling `idleMs` first so that the
   * monitor's window holds that run alone (0: the process is new).
   */
  exact?: { idleMs: number };
  /** Warm before each measurement (the optimized app with its caches on). */
  cached: boolean;
  /** The APIs it answers, with their paths. */
  routes: Array<[Api, string]>;
}

/** Rows accumulate over calls: generator figures add up, server-side buckets add up. */
const accumulated = new Map<string, { row: Row; buckets: Buckets }>();

/** What the monitor saw of one run: its buckets, 5xx count and event-loop delay, and its exact p99 where read. */
interface ServerRun {
  buckets: Buckets;
  count5xx: number;
  lagMaxMs: number;
  exactP99?: ExactP99;
}

function record(variant: string, shape: Shape, api: Api, generator: Measured, server?: ServerRun) {
  const key = `${variant}|${shape}|${api}`;
  const previous = accumulated.get(key);
  const merged = previous ? addMeasured(previous.row.generator, generator) : generator;
  const buckets = server
    ? addBuckets(previous?.buckets ?? { bounds: [], cumulative: [] }, server.buckets)
    : undefined;
  const row: Row = {
    variant,
    shape,
    api,
    generator: merged,
    server:
      server && buckets
        ? {
            count: buckets.cumulative.at(-1) ?? 0,
            p99: bucketQuantile(buckets, 0.99),
            runs: (previous?.row.server?.runs ?? 0) + 1,
            exactP99: [
              ...(previous?.row.server?.exactP99 ?? []),
              ...(server.exactP99 ? [server.exactP99] : []),
            ],
            status5xx: (previous?.row.server?.status5xx ?? 0) + server.count5xx,
            lagMaxMs: Math.max(previous?.row.server?.lagMaxMs ?? 0, server.lagMaxMs),
          }
        : undefined,
  };
  accumulated.set(key, { row, buckets: buckets ?? { bounds: [], cumulative: [] } });
}

/**
 * One load test of one subject's route in `shape`, with the app's `/metrics`
 * scraped before and after, so the monitor's figures cover exactly the
 * requests the generator counted. A cached subject is warmed first; an
 * `exact` one idles a monitor window first, and its run's p99 is read from
 * `/metrics/snapshot` when the window's count shows it holds that run alone.
 */
async function measureCall(subject: Subject, [api, path]: [Api, string], shape: Shape, spec: LoadSpec) {
  if (subject.cached) await warmCaches(subject.url);
  if (subject.exact) await sleep(subject.exact.idleMs);
  await settle(optimizedApps);
  const origin = new URL(subject.url).origin;
  const before = subject.monitored ? await scrapeMetrics(origin, METRICS_TOKEN) : undefined;
  const apiKeys = shape === 'heavy' ? [heavy.apiKey] : spreadKeys;
  const generator = await loadTenants(`${subject.url}${path}`, apiKeys, spec);
  const after = before ? await scrapeMetrics(origin, METRICS_TOKEN) : undefined;
  const route = new URL(path, 'http://x').pathname;
  let server: ServerRun | undefined;
  if (before && after) {
    const buckets = bucketsBetween(before, after, route, '2xx');
    const count5xx = bucketsBetween(before, after, route, '5xx').cumulative.at(-1) ?? 0;
    const window = subject.exact ? await readWindowLatency(origin, METRICS_TOKEN, route) : undefined;
    const runCount = (buckets.cumulative.at(-1) ?? 0) + count5xx;
    const exactP99 =
      window?.count === runCount ? { monitorMs: window.p99Ms, generatorMs: generator.raw.p99 } : undefined;
    if (window && !exactP99)
      log(`  (the monitor's window held ${window.count} requests, the run ${runCount})`);
    server = { buckets, count5xx, lagMaxMs: after.lagMaxMs, ...(exactP99 ? { exactP99 } : {}) };
  }
  record(subject.variant, shape, api, generator, server);
  console.log(
    `  ${subject.variant} ${shape} ${api}: ${generator.requests} ok, p50 ${ms(generator.latency.p50)}, p99 ${ms(generator.latency.p99)} ` +
      `(raw ${ms(generator.raw.p99)}), ${generator.rps.toFixed(1)} req/s` +
      (server
        ? `, monitor p99 ≈ ${ms(server.exactP99?.monitorMs ?? bucketQuantile(server.buckets, 0.99)?.estimateMs ?? Number.NaN)}`
        : ''),
  );
}

/** The origins of the optimized apps running, which {@link settle} waits for before every run. */
const optimizedApps: string[] = [];

/**
 * Waits until none of the apps at `origins` has an ElevenLabs fetch
 * finishing any more. Fetches go on in the background by design: those
 * that outlive their response's budget (thousands after a cold agents run),
 * and the refreshes of configs past their 5 fresh minutes, which come in a
 * wave as the warm-up fetched them all at once. Any app's fetches load the
 * machine and the fake while another process is measured.
 */
async function settle(origins: readonly string[]): Promise<void> {
  let last = '';
  for (let quiet = 0; quiet < 3; ) {
    const scrapes = await Promise.all(origins.map((origin) => scrapeMetrics(origin, METRICS_TOKEN)));
    const calls = scrapes.map((scrape) => scrape.externalCalls).join();
    quiet = calls === last ? quiet + 1 : 0;
    last = calls;
    await sleep(1_000);
  }
}

/** 503s the warm-up met (the app sheds when its event loop lags), retried after `Retry-After` as a client would. */
let warmingSheds = 0;

async function getWarming(url: string, apiKey: string): Promise<Response> {
  for (;;) {
    const res = await fetch(url, { headers: { authorization: `Bearer ${apiKey}` } });
    if (res.status !== 503) return res;
    warmingSheds++;
    await res.arrayBuffer();
    await sleep(1000 * Number(res.headers.get('retry-after') ?? 1));
  }
}

/**
 * Reads every API for the heavy tenant and every round-robin tenant until a
 * whole pass is served from cache (`X-Cache: hit`) with every agent's config
 * fresh: the data, the API-key lookups and the ElevenLabs configs are all in
 * cache and young, which is what "warm" means here.
 */
async function warmCaches(appUrl: string): Promise<void> {
  const keys = [heavy.apiKey, ...spreadKeys];
  let notWarm: Record<string, number> = {};
  for (let pass = 1; pass <= 10; pass++) {
    notWarm = {};
    const count = (reason: string, n = 1) => {
      if (n > 0) notWarm[reason] = (notWarm[reason] ?? 0) + n;
    };
    for (const api of APIS) {
      for (const key of keys) {
        const res = await getWarming(`${appUrl}${paths[api]}`, key);
        const body = await res.text();
        if (!res.ok) throw new Error(`warming ${api} answered ${res.status}: ${body}`);
        count(`${api} X-Cache ${res.headers.get('x-cache')}`, res.headers.get('x-cache') === 'hit' ? 0 : 1);
        if (api === 'agents') {
          for (const agent of (JSON.parse(body) as { agents: Array<{ configStatus: string }> }).agents)
            count(`config ${agent.configStatus}`, agent.configStatus === 'fresh' ? 0 : 1);
        }
      }
    }
    if (Object.keys(notWarm).length === 0) return;
    // Refreshes (stale entries, configs still coming) finish in the background; let them.
    await settle([new URL(appUrl).origin]);
  }
  // Served stale (SWR) costs a request no more than a hit, so the run goes on; the log says what stayed cold, and why the cache thinks so.
  const metrics = await (
    await fetch(`${appUrl}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })
  ).text();
  const interesting =
    /^(cache_(errors|lookups)_total|db_client_connection|http_client_operation_failures_total)|^http_client_circuit_breaker_state.* 1$/;
  const cacheLines = metrics.split('\n').filter((line) => interesting.test(line));
  log(
    `warning: ${appUrl} not all warm after 10 passes: ${JSON.stringify(notWarm)}; ${cacheLines.join('; ')}`,
  );
}

const results: { rows: Row[]; visibility?: VisibilityResult } = { rows: [] };
const appRoutes = APIS.map((api): [Api, string] => [api, paths[api]]);

try {
  const fake = await startRemoteFake();
  started({ stop: () => fake.close() });
  const base = {
    DATABASE_URL: dataset.url,
    NOW: manifest.anchor,
    ELEVENLABS_BASE_URL: fake.url,
    ELEVENLABS_API_KEY: fake.apiKey,
    METRICS_TOKEN,
    MONITOR_WINDOW_MS: String(MONITOR_WINDOW_MS),
    LOG_LEVEL: 'error',
  };
  // A Redis of the run's own: the apps' keys, leases and invalidation bus (pub/sub spans every
  // database of a server) stay apart from whatever else uses the machine's.
  const redis = started(await startPrivateRedis());
  const REDIS_URL = redis.url;
  // The first optimized start builds missing indexes (CONCURRENTLY, about half a minute on large); the others find them.
  const indexStart = performance.now();
  const warmMemory = started(await startApp({ MODE: 'optimized', CACHE: 'on' }, base));
  log(`indexes in place (first optimized start: ${ms(performance.now() - indexStart)})`);
  const [cold, warmRedis] = await Promise.all([
    startApp({ MODE: 'optimized', CACHE: 'off' }, base).then(started),
    startApp({ MODE: 'optimized', CACHE: 'on', REDIS_URL }, base).then(started),
  ]);
  optimizedApps.push(...[warmMemory, cold, warmRedis].map((app) => new URL(app.url).origin));

  log('warming the caches (every API, heavy and round-robin tenants, until all configs are fresh)…');
  await Promise.all([warmCaches(warmMemory.url), warmCaches(warmRedis.url)]);
  const heavyGet = async (url: string) => {
    const res = await getWarming(url, heavy.apiKey);
    const body = await res.text();
    if (!res.ok) throw new Error(`GET ${url} answered ${res.status}: ${body}`);
    return body;
  };
  // Each API's ceiling answers that API's warm bytes: the issue's ceiling is the overview's, and a
  // bare route with the 13 kB agents page costs more than one with the 1.2 kB overview.
  const bodies: Record<string, string> = {};
  for (const api of APIS) bodies[api] = await heavyGet(`${warmMemory.url}${paths[api]}`);
  const ceiling = started(await startCeiling(bodies));
  const bodyBytes = Object.fromEntries(APIS.map((api) => [api, Buffer.byteLength(bodies[api] ?? '')]));
  log(`heavy tenant's warm bodies, which the ceiling answers (bytes): ${JSON.stringify(bodyBytes)}`);

  const ceilingSubject: Subject = {
    variant: 'ceiling',
    url: ceiling.url,
    monitored: false,
    cached: false,
    routes: APIS.map((api): [Api, string] => [api, `/${api}`]),
  };
  const coldSubject: Subject = {
    variant: 'optimized cold',
    url: cold.url,
    monitored: true,
    exact: { idleMs: MONITOR_WINDOW_MS },
    cached: false,
    routes: appRoutes,
  };
  const warmSubjects: Subject[] = [
    {
      variant: 'optimized warm (memory)',
      url: warmMemory.url,
      monitored: true,
      cached: true,
      routes: appRoutes,
    },
    {
      variant: 'optimized warm (Redis)',
      url: warmRedis.url,
      monitored: true,
      cached: true,
      routes: appRoutes,
    },
  ];
  const subjects = [ceilingSubject, coldSubject, ...warmSubjects];
  // Unmeasured: JIT, pools, PostgreSQL's buffers (the cache warming above read every round-robin tenant once).
  for (const subject of subjects) {
    for (const [, path] of subject.routes) {
      await loadTenants(`${subject.url}${path}`, [heavy.apiKey], { ...heavySpec, durationMs: 2_000 });
    }
  }

  log(
    `\noptimized and ceiling, ${repetitions} repetitions: heavy ${heavySpec.durationMs / 1000} s per run; ` +
      `round-robin ${spread.length} tenants × ${roundRobinSpec.durationMs} ms per run; warm apps warmed before each run`,
  );
  // The warm variants are judged against the ceiling, so each API's three run back to back, in an order
  // reversed every other repetition: a host whose speed drifts over minutes moves all three alike. The
  // cold runs, each behind a monitor window of idling, come after them.
  const compared = [ceilingSubject, ...warmSubjects];
  for (let rep = 1; rep <= repetitions; rep++) {
    for (const shape of SHAPES) {
      log(`repetition ${rep}, ${shape}: load average ${loadAverage()}`);
      const order = rep % 2 === 1 ? compared : [...compared].reverse();
      for (const api of APIS) {
        for (const subject of order) {
          const route = subject.routes.find(([routeApi]) => routeApi === api);
          if (!route) throw new Error(`${subject.variant} has no route for ${api}`);
          await measureCall(subject, route, shape, specFor(shape));
        }
      }
      for (const route of coldSubject.routes) await measureCall(coldSubject, route, shape, specFor(shape));
    }
  }

  if (!skip.has('hog')) {
    log(
      `\nCPU hog: the warm (memory) app pinned to core ${APP_CPU}, the generator to core ${GENERATOR_CPU}; ` +
        `each call without, then with, a spinning process on core ${APP_CPU}`,
    );
    await pin(warmMemory.pid, APP_CPU);
    await pin(process.pid, GENERATOR_CPU);
    try {
      for (let rep = 1; rep <= repetitions; rep++) {
        for (const shape of SHAPES) {
          log(`repetition ${rep}, ${shape}, pinned: load average ${loadAverage()}`);
          const app = { url: warmMemory.url, monitored: true, cached: true, routes: appRoutes };
          for (const route of appRoutes) {
            await measureCall({ ...app, variant: 'warm, pinned' }, route, shape, specFor(shape));
            const hog = await startCpuHog(APP_CPU);
            try {
              await measureCall({ ...app, variant: 'warm, pinned + CPU hog' }, route, shape, specFor(shape));
            } finally {
              await hog.stop();
            }
          }
        }
      }
    } finally {
      const all = os
        .cpus()
        .map((_, i) => i)
        .join(',');
      await pin(warmMemory.pid, all);
      await pin(process.pid, all);
    }
  }

  if (!skip.has('visibility')) {
    log(
      '\nwrite visibility: a second optimized instance on the same Redis; write through one, poll the other',
    );
    const second = started(await startApp({ MODE: 'optimized', CACHE: 'on', REDIS_URL }, base));
    results.visibility = await measureWriteVisibility({
      writerUrl: warmRedis.url,
      readerUrl: second.url,
      databaseUrl: dataset.url,
      tenants: spread.map((u) => ({ id: u.id, apiKey: u.apiKey })),
      anchor: manifest.anchor,
      writes: Number(values.writes),
      timeoutMs: 5_000,
    });
    await second.stop();
  }

  // Naive last: its scans would otherwise evict the optimized reads' pages before they are measured.
  if (!skip.has('naive')) {
    for (const app of [cold, warmMemory, warmRedis]) await app.stop();
    optimizedApps.length = 0;
    log(
      `\nnaive (indexes in place): heavy one run of ${naiveHeavySpec.durationMs / 1000} s per API, ` +
        `round-robin one request per connection per tenant; after one unmeasured request per API, ` +
        'each run in a naive app of its own',
    );
    // Warms PostgreSQL's buffers; the app that did it goes, so that no run's window holds its requests.
    const warming = await startApp({ MODE: 'naive' }, base);
    for (const api of APIS) await heavyGet(`${warming.url}${paths[api]}`);
    await warming.stop();
    for (const route of appRoutes) {
      for (const [shape, spec] of [
        ['heavy', naiveHeavySpec],
        ['round-robin', naiveRoundRobinSpec],
      ] as const) {
        const naive = started(
          await startApp({ MODE: 'naive', MONITOR_WINDOW_MS: String(NAIVE_MONITOR_WINDOW_MS) }, base),
        );
        const subject: Subject = {
          variant: 'naive',
          url: naive.url,
          monitored: true,
          exact: { idleMs: 0 },
          cached: false,
          routes: appRoutes,
        };
        await measureCall(subject, route, shape, spec);
        await naive.stop();
      }
    }
  }
} finally {
  await processes.stopAll();
}

// Order: variant, then shape, then API.
const VARIANT_ORDER = [
  'naive',
  'optimized cold',
  'optimized warm (memory)',
  'optimized warm (Redis)',
  'ceiling',
  'warm, pinned',
  'warm, pinned + CPU hog',
];
results.rows = [...accumulated.values()]
  .map((a) => a.row)
  .sort(
    (a, b) =>
      VARIANT_ORDER.indexOf(a.variant) - VARIANT_ORDER.indexOf(b.variant) ||
      a.shape.localeCompare(b.shape) ||
      APIS.indexOf(a.api) - APIS.indexOf(b.api),
  );

const rows = results.rows;
const claims = evaluateClaims(rows, APIS, {
  shedThresholdMs: SHED_THRESHOLD_MS,
  ...(results.visibility
    ? { visibilityMs: results.visibility.delaysMs, visibilityTimedOut: results.visibility.timedOut }
    : {}),
});
const columns = SHAPES.flatMap((shape) => APIS.map((api) => `${shape} ${api}`));
const resultsTable = resultTables(rows);
const claimsTable = claimTables(claims, columns);
log(`\n${resultsTable.terminal}`);
log(claimsTable.terminal);
log(`503s met while warming (retried after Retry-After): ${warmingSheds}`);
log(`load average at the end: ${loadAverage()}`);

const resultsDir = new URL('../results/', import.meta.url);
await mkdir(resultsDir, { recursive: true });
const name = `app-large${values.label ? `-${values.label}` : ''}`;
await writeFile(
  new URL(`${name}.json`, resultsDir),
  JSON.stringify(
    {
      stamp: new Date().toISOString(),
      commit: COMMIT,
      machine: { cpu: os.cpus()[0]?.model, cores: os.cpus().length, node: process.version },
      load: {
        connections: CONNECTIONS,
        tenants: TENANTS,
        heavySpec,
        roundRobinSpec,
        naiveHeavySpec,
        naiveRoundRobinSpec,
      },
      rows: rows.map(({ generator, ...rest }) => ({
        ...rest,
        generator: { ...generator, histogram: undefined, rawHistogram: undefined },
      })),
      visibility: results.visibility,
      claims,
      log: lines,
    },
    null,
    2,
  ),
);
await writeFile(new URL(`${name}.md`, resultsDir), `${resultsTable.markdown}\n\n${claimsTable.markdown}\n`);
console.log(`results: bench/results/${name}.json and .md`);
