/**
 * bench/queries/prepared: the loaders with their statements named (prepared
 * once per connection) against the same loaders unnamed (parsed and planned
 * on every call), side by side in one run, on the `large` database of
 * bench/app (seeded if missing), heavy and median tenant.
 *
 *   pnpm --filter @perfkit/bench run queries:prepared
 *
 * Per loader and tenant: p50 / p99 of 300 sequential calls on one
 * connection, then calls/s of 10 connections for 3 s (both cores busy in
 * PostgreSQL: what a cold app's burst does).
 */
import { createDatabase, loadAgentsPage, loadAnalytics, loadOverview } from '@perfkit/queries';
import { applyIndexes, SEED_ANCHOR } from '@perfkit/queries/admin';
import { prepareDataset } from '../app/dataset.js';
import { percentileOfSorted } from '../support/stats.js';

const { url, heavy, spread } = await prepareDataset(100, console.log);
await applyIndexes(url);
const median = [...spread].sort((a, b) => a.calls - b.calls)[Math.floor(spread.length / 2)];
if (!median) throw new Error('no tenant besides the heavy one');
const now = SEED_ANCHOR;

const loaders = {
  'overview 30d': (db: Db, userId: number) => loadOverview(db, { userId, range: '30d', now }),
  'analytics 90d': (db: Db, userId: number) =>
    loadAnalytics(db, { userId, range: '90d', bucket: 'day', now }),
  'agents page (20)': (db: Db, userId: number) => loadAgentsPage(db, { userId, limit: 20 }),
};
type Db = ReturnType<typeof createDatabase>['db'];

async function measure(
  preparedStatements: boolean,
  load: (db: Db, userId: number) => Promise<unknown>,
  userId: number,
) {
  const handle = createDatabase({ connectionString: url, max: 10, preparedStatements });
  try {
    for (let i = 0; i < 20; i++) await load(handle.db, userId);
    const latencies: number[] = [];
    for (let i = 0; i < 300; i++) {
      const start = performance.now();
      await load(handle.db, userId);
      latencies.push(performance.now() - start);
    }
    latencies.sort((a, b) => a - b);
    let calls = 0;
    const end = performance.now() + 3000;
    await Promise.all(
      Array.from({ length: 10 }, async () => {
        for (; performance.now() < end; calls++) await load(handle.db, userId);
      }),
    );
    return {
      p50: percentileOfSorted(latencies, 50),
      p99: percentileOfSorted(latencies, 99),
      perSecond: calls / 3,
    };
  } finally {
    await handle.destroy();
  }
}

const ms = (value: number) => `${value.toFixed(2)} ms`;
console.log(
  '| loader | tenant | unnamed p50 / p99 | named p50 / p99 | unnamed calls/s | named calls/s | ratio |',
);
console.log('| --- | --- | ---: | ---: | ---: | ---: | ---: |');
for (const [name, load] of Object.entries(loaders)) {
  for (const [tenant, userId] of [
    ['heavy', heavy.id],
    ['median', median.id],
  ] as const) {
    const unnamed = await measure(false, load, userId);
    const named = await measure(true, load, userId);
    console.log(
      `| ${name} | ${tenant} | ${ms(unnamed.p50)} / ${ms(unnamed.p99)} | ${ms(named.p50)} / ${ms(named.p99)} | ` +
        `${unnamed.perSecond.toFixed(0)} | ${named.perSecond.toFixed(0)} | ${(named.perSecond / unnamed.perSecond).toFixed(2)}× |`,
    );
  }
}
