/**
 * bench/app/paired: the warm app's throughput against the ceiling, decided
 * on a noisy host. The suite runs each variant once per cell, minutes apart;
 * on a 2-core VM single 6 s runs scatter by ±20 %, more than the 80 % line
 * is wide. Here every round runs the ceiling and both warm variants back to
 * back (order reversed every other round, so drift cancels), and each cell
 * reports the median of its rounds' ratios with their range, and each
 * subject's median p99: the ceiling's shows how low a p99 this host allows
 * at all. The warm apps are warmed again before each cell.
 *
 *   pnpm --filter @perfkit/bench run app:paired [--rounds 5] [--label name]
 *
 * Results: bench/results/app-paired[-label].md.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { startPrivateRedis } from '@perfkit/testing';
import { startRemoteFake } from '../external/remote-fake.js';
import { StartedProcesses } from '../support/started-processes.js';
import { median } from '../support/stats.js';
import { apiPaths, prepareDataset } from './dataset.js';
import { type LoadSpec, loadTenants } from './load.js';
import { buildSubjects, startApp, startCeiling } from './processes.js';
import { percent } from './report.js';

const { values } = parseArgs({
  args: process.argv.slice(2).filter((arg) => arg !== '--'),
  options: {
    rounds: { type: 'string', default: '5' },
    label: { type: 'string', default: '' },
  },
});
const rounds = Number(values.rounds);
const heavySpec: LoadSpec = { connections: 50, durationMs: 6_000, repetitions: 1, timeoutMs: 60_000 };
const roundRobinSpec: LoadSpec = { ...heavySpec, durationMs: 100 };

const log = (line: string) => console.log(line);
const { url, manifest, heavy, spread } = await prepareDataset(100, log);
const paths = apiPaths(manifest);
await buildSubjects(log);

const started = new StartedProcesses();
try {
  const fake = await startRemoteFake();
  started.add({ stop: () => fake.close() });
  const redis = started.add(await startPrivateRedis());
  const base = {
    DATABASE_URL: url,
    NOW: manifest.anchor,
    ELEVENLABS_BASE_URL: fake.url,
    ELEVENLABS_API_KEY: fake.apiKey,
    LOG_LEVEL: 'error',
  };
  const memory = started.add(await startApp({ MODE: 'optimized', CACHE: 'on' }, base));
  const withRedis = started.add(
    await startApp({ MODE: 'optimized', CACHE: 'on', REDIS_URL: redis.url }, base),
  );

  // Warm: the route for every tenant, passes with pauses, so that configs fetched in the background
  // have arrived. Before every cell, as entries expire (the agents page after 60 s fresh and 5 min stale).
  const get = async (target: string, apiKey: string) =>
    (await fetch(target, { headers: { authorization: `Bearer ${apiKey}` } })).text();
  const keys = [heavy.apiKey, ...spread.map((user) => user.apiKey)];
  const warm = async (path: string) => {
    for (let pass = 0; pass < 3; pass++) {
      for (const app of [memory, withRedis]) for (const key of keys) await get(`${app.url}${path}`, key);
      await new Promise((resolve) => setTimeout(resolve, 1_500));
    }
  };
  for (const path of Object.values(paths)) await warm(path);
  const bodies: Record<string, string> = {};
  for (const [api, path] of Object.entries(paths))
    bodies[api] = await get(`${memory.url}${path}`, heavy.apiKey);
  const ceiling = started.add(await startCeiling(bodies));

  const withRange = (xs: number[], format: (x: number) => string) =>
    `${format(median(xs))} (${format(Math.min(...xs))}–${format(Math.max(...xs))})`;

  log(
    `\n${rounds} rounds per cell: ceiling, warm (memory), warm (Redis) back to back, order reversed every other round`,
  );
  const table = [
    '| shape, API | warm (memory) ÷ ceiling, median (range) | warm (Redis) ÷ ceiling, median (range) | ceiling req/s, median (range) | p99 ms, median: ceiling / memory / Redis |',
    '| --- | ---: | ---: | ---: | ---: |',
  ];
  // One subject's runs in a cell: req/s and p99 per round.
  const subjectRuns = (name: string, target: string) => ({
    name,
    target,
    rps: [] as number[],
    p99: [] as number[],
  });
  for (const [shape, apiKeys, spec] of [
    ['heavy', [heavy.apiKey], heavySpec],
    ['round-robin', keys.slice(1), roundRobinSpec],
  ] as const) {
    for (const [api, path] of Object.entries(paths)) {
      const subjects = [
        subjectRuns('ceiling', `${ceiling.url}/${api}`),
        subjectRuns('memory', `${memory.url}${path}`),
        subjectRuns('Redis', `${withRedis.url}${path}`),
      ] as const;
      const [ceilingRuns, memoryRuns, redisRuns] = subjects;
      await warm(path);
      for (let round = 0; round < rounds; round++) {
        for (const subject of round % 2 ? [...subjects].reverse() : subjects) {
          const measured = await loadTenants(subject.target, [...apiKeys], spec);
          if (measured.errors.status + measured.errors.network + measured.errors.timeout > 0) {
            throw new Error(`${subject.name} ${shape} ${api}: errors ${JSON.stringify(measured.errors)}`);
          }
          subject.rps.push(measured.rps);
          subject.p99.push(measured.latency.p99);
        }
      }
      // Each round's ratio to the ceiling's run of the same round.
      const ratios = (runs: (typeof subjects)[number]) =>
        runs.rps.map((value, i) => value / (ceilingRuns.rps[i] ?? Number.NaN));
      const row =
        `| ${shape}, ${api} | ${withRange(ratios(memoryRuns), percent)} | ${withRange(ratios(redisRuns), percent)} | ` +
        `${withRange(ceilingRuns.rps, (x) => x.toFixed(0))} | ` +
        `${subjects.map((runs) => median(runs.p99).toFixed(1)).join(' / ')} |`;
      log(row);
      table.push(row);
    }
  }
  const results = new URL('../results/', import.meta.url);
  await mkdir(results, { recursive: true });
  const file = new URL(`app-paired${values.label ? `-${values.label}` : ''}.md`, results);
  await writeFile(file, `${table.join('\n')}\n`);
  log(`\nresults: ${file.pathname}`);
} finally {
  await started.stopAll();
}
