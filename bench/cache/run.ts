// Side-by-side cache benchmark: `pnpm --filter @perfkit/bench run cache` (needs Redis, REDIS_URL overrides).
// CACHE_BASELINE=<git ref> adds that version of perfkit to the hit-path and L2-hit tables, so a change is
// measured against what it changed in the same run; CACHE_SCENARIOS=hit,l2,storm,race,down picks tables.
import { loadavg } from 'node:os';
import { asyncCacheDedupeAdapter } from './adapters/async-cache-dedupe-adapter.js';
import { bentocacheAdapter } from './adapters/bentocache-adapter.js';
import type { AdapterFactory } from './adapters/cache-adapter.js';
import { cacheManagerAdapter } from './adapters/cache-manager-adapter.js';
import { lruCacheAdapter } from './adapters/lru-cache-adapter.js';
import { perfkitAdapter } from './adapters/perfkit-adapter.js';
import { loadPerfkitBaseline } from './baseline.js';
import { formatRate } from './measure.js';
import { type HitPathRow, measureHitPath } from './scenarios/hit-path.js';
import { measureInvalidationRace } from './scenarios/invalidation-race.js';
import { FLOOR_NAME, type L2HitRow, measureL2Hit } from './scenarios/l2-hit.js';
import { measureMissStorm } from './scenarios/miss-storm.js';
import { measureRedisDown } from './scenarios/redis-down.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const QUICK = process.env.BENCH_QUICK === '1';
const SCENARIOS = new Set((process.env.CACHE_SCENARIOS ?? 'hit,l2,storm,race,down').split(','));
const baseline = process.env.CACHE_BASELINE
  ? await loadPerfkitBaseline(process.env.CACHE_BASELINE)
  : undefined;
const factories = [
  perfkitAdapter,
  bentocacheAdapter,
  cacheManagerAdapter,
  asyncCacheDedupeAdapter,
  lruCacheAdapter,
];
const withBaseline: AdapterFactory[] = baseline
  ? [perfkitAdapter, baseline.factory, ...factories.slice(1)]
  : factories;

function table(headers: string[], rows: (string | number)[][]): string {
  const line = (cells: (string | number)[]) => `| ${cells.join(' | ')} |`;
  return [line(headers), line(headers.map(() => '---')), ...rows.map(line)].join('\n');
}

// The ratio is taken on the median batch: on a shared machine the mean is set by the few batches during
// which the process was descheduled, and those fall on whichever library's slice they happen to hit.
function hitTable(rows: HitPathRow[]): string {
  const perfkit = rows.find((r) => r.name === 'perfkit')?.p50Ns ?? Number.NaN;
  return table(
    ['library', 'tiers', 'ops/s (mean)', 'ops/s (median batch)', 'perfkit ÷ library (median)', 'p99 ns/op'],
    rows.map((r) => [
      r.name,
      r.tiers,
      formatRate(r.opsPerSecond),
      formatRate(1e9 / r.p50Ns),
      `${(r.p50Ns / perfkit).toFixed(2)}×`,
      r.p99Ns.toFixed(0),
    ]),
  );
}

const floor = (rows: L2HitRow[]) => rows.find((r) => r.name === FLOOR_NAME) as L2HitRow;

const load = () =>
  loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');
// Short slices, many rounds: a burst of load on the machine spreads over every library.
const rounds = QUICK ? 4 : 24;
console.log(
  `# cache benchmark — Node ${process.version}, ${new Date().toISOString()}, load average ${load()}\n`,
);

if (SCENARIOS.has('hit')) {
  console.log('## Hit path, 2 KB JSON value in memory, memory only\n');
  console.log(hitTable(await measureHitPath(withBaseline, undefined, rounds, 40)));
  console.log();

  console.log('## Hit path, 2 KB JSON value in memory, Redis configured as L2\n');
  console.log(hitTable(await measureHitPath(withBaseline, REDIS_URL, rounds, 40)));
  console.log();
}

if (SCENARIOS.has('l2')) {
  console.log('## getOrSet that misses memory and hits Redis (µs)\n');
  const l2 = await measureL2Hit(withBaseline, REDIS_URL, QUICK ? 2 : 8, 250);
  const ratio = (r: L2HitRow, value: (r: L2HitRow) => number) =>
    `${(value(r) / value(floor(l2))).toFixed(2)}×`;
  console.log(
    table(
      [
        'library',
        'p50 µs',
        'p99 µs',
        'p99 ÷ floor',
        'p99 ÷ floor by round',
        'CPU p50 µs',
        'CPU p99 µs',
        'CPU p99 ÷ floor',
      ],
      l2.map((r) => [
        r.name,
        r.p50Us.toFixed(0),
        r.p99Us.toFixed(0),
        ratio(r, (x) => x.p99Us),
        r.name === FLOOR_NAME ? '' : r.p99VsFloorRange.map((x) => `${x.toFixed(2)}×`).join(' – '),
        r.cpuP50Us.toFixed(0),
        r.cpuP99Us.toFixed(0),
        ratio(r, (x) => x.cpuP99Us),
      ]),
    ),
  );
  console.log();
}

if (SCENARIOS.has('storm')) {
  console.log('## Miss storm: 4 instances × 250 concurrent getOrSet of one cold key, 50 ms loader\n');
  const storms = await measureMissStorm(factories, REDIS_URL, {
    instances: 4,
    callsEach: 250,
    trials: 3,
    loaderMs: 50,
  });
  console.log(
    table(
      ['library', 'loader calls per trial'],
      storms.map((r) => [r.name, r.loaderCalls.join(', ')]),
    ),
  );
  console.log();
}

if (SCENARIOS.has('race')) {
  console.log('## Invalidation during a 100 ms load: trials serving the pre-invalidation value\n');
  const races = await measureInvalidationRace(factories, REDIS_URL, 20);
  console.log(
    table(
      ['library', 'served pre-invalidation value'],
      races.map((r) => [r.name, `${r.servedPreInvalidation} of ${r.trials}`]),
    ),
  );
  console.log();
}

if (SCENARIOS.has('down')) {
  console.log(
    '## perfkit while Redis is unreachable (default options: l2Timeout 250 ms, circuit after 3 failures)\n',
  );
  const down = await measureRedisDown(QUICK ? 200 : 1000);
  console.log(
    table(
      ['case', 'first call ms', 'p50 ms', 'p99 ms', 'max ms', 'invalidateTags ms', 'unhandled rejections'],
      down.map((r) => [
        r.case,
        r.firstCallMs.toFixed(2),
        r.p50Ms.toFixed(3),
        r.p99Ms.toFixed(3),
        r.maxMs.toFixed(2),
        r.invalidateMs.toFixed(2),
        r.unhandledRejections,
      ]),
    ),
  );
}
console.log(`\nload average at the end: ${load()}`);
baseline?.close();
process.exit(0);
