/**
 * bench/queries: the three APIs' queries on `large`, heavy and typical tenant:
 * perfkit's batched queries on exact pre-aggregates vs the naive query
 * patterns (with and without indexes), warm and cold, 1 and 50 clients; then
 * EXPLAIN of every catalog query for the heavy tenant.
 *
 *   pnpm --filter @perfkit/bench run queries [--scale large] [--reseed] [--quick] [--perfkit-only]
 *
 * Uses its own database (perfkit_queries_<scale>); seeds it once, reuses it after.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { createDatabase, loadAgentsPage, loadAnalytics, loadOverview } from '@perfkit/queries';
import {
  applyIndexes,
  catalogQueries,
  dropIndexes,
  migrateToLatest,
  runRollup,
  SEED_ANCHOR,
  type SeedScale,
  seedDatabase,
} from '@perfkit/queries/admin';
import { scratchDatabase } from '../support/scratch-database.js';
import { percentile } from '../support/stats.js';
import { createEvictor } from './cold-cache.js';
import { naiveAgentsQueries, naiveAnalyticsQueries, naiveOverviewQueries } from './naive-patterns.js';

// pnpm passes a literal `--` through to the script.
const args = process.argv.slice(2).filter((arg) => arg !== '--');
const scaleAt = args.indexOf('--scale');
const scale = (scaleAt === -1 ? 'large' : args[scaleAt + 1]) as SeedScale;
const quick = args.includes('--quick');
const naiveToo = !args.includes('--perfkit-only');
const now = SEED_ANCHOR;

const url = await scratchDatabase(`perfkit_queries_${scale}`);
const handle = createDatabase({ connectionString: url, max: 60, applicationName: 'perfkit-bench-queries' });
const { db, pool } = handle;
const lines: string[] = [];
const log = (line = '') => {
  console.log(line);
  lines.push(line);
};

await migrateToLatest(db);
const seeded = await pool.query<{ n: number }>('SELECT count(*) AS n FROM agent_analytics');
if (args.includes('--reseed') || (seeded.rows[0]?.n ?? 0) === 0) {
  const started = performance.now();
  const manifest = await seedDatabase(db, { scale });
  log(`seeded ${scale}: ${JSON.stringify(manifest.counts)} in ${(manifest.durationMs / 1000).toFixed(1)} s`);
  const rollup = await runRollup(db, { full: true });
  log(
    `full rollup: ${rollup.days} agent-days in ${(rollup.durationMs / 1000).toFixed(1)} s (total ${((performance.now() - started) / 1000).toFixed(1)} s)`,
  );
}

// Heavy = most calls; typical = the median tenant by calls.
const tenants = await pool.query<{ user_id: number; calls: number; agents: number }>(`
  SELECT user_id, sum(calls_total)::bigint AS calls, count(DISTINCT agent_id) AS agents
  FROM agent_analytics GROUP BY user_id ORDER BY calls DESC`);
const heavy = tenants.rows[0];
const typical = tenants.rows[Math.floor(tenants.rows.length / 2)];
if (!heavy || !typical) throw new Error('no tenants');
log(
  `heavy tenant ${heavy.user_id}: ${heavy.calls} calls, ${heavy.agents} agents; typical ${typical.user_id}: ${typical.calls} calls, ${typical.agents} agents`,
);

type Api = 'overview 30d' | 'analytics 90d' | 'agents page (50)';
const optimized: Record<Api, (userId: number) => Promise<unknown>> = {
  'overview 30d': (userId) => loadOverview(db, { userId, range: '30d', now }),
  'analytics 90d': (userId) => loadAnalytics(db, { userId, range: '90d', bucket: 'day', now }),
  'agents page (50)': (userId) => loadAgentsPage(db, { userId, limit: 50 }),
};
const naive: Record<Api, (userId: number) => Promise<unknown>> = {
  'overview 30d': (userId) => naiveOverviewQueries(db, userId, '30d', now),
  'analytics 90d': (userId) => naiveAnalyticsQueries(db, userId, '90d', now),
  'agents page (50)': (userId) => naiveAgentsQueries(db, userId, 50),
};
const APIS = Object.keys(optimized) as Api[];

const fmt = (ms: number) =>
  ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(ms < 10 ? 2 : 1)} ms`;
const timed = async (fn: () => Promise<unknown>) => {
  const started = performance.now();
  try {
    await fn();
    return performance.now() - started;
  } catch (error) {
    if ((error as { code?: string }).code === '57014') return Number.POSITIVE_INFINITY;
    throw error;
  }
};

const evict = await createEvictor(pool);
type Mode = { clients: 1 | 50; cold: boolean; iterations: number };

/** Samples of one API for one tenant: `iterations` rounds of `clients` simultaneous requests. */
async function measure(fn: () => Promise<unknown>, mode: Mode): Promise<number[]> {
  const samples: number[] = [];
  if (!mode.cold) await fn();
  for (let i = 0; i < mode.iterations; i++) {
    if (mode.cold) await evict();
    samples.push(...(await Promise.all(Array.from({ length: mode.clients }, () => timed(fn)))));
  }
  return samples;
}

interface Row {
  variant: string;
  tenant: string;
  api: Api;
  clients: number;
  buffers: string;
  n: number;
  p50: number;
  p99: number;
}
const results: Row[] = [];
async function scenario(variant: string, fns: typeof optimized, mode: Mode, who: Array<'heavy' | 'typical'>) {
  for (const tenant of who) {
    const userId = (tenant === 'heavy' ? heavy : typical)?.user_id as number;
    for (const api of APIS) {
      const samples = await measure(() => (fns[api] as (u: number) => Promise<unknown>)(userId), mode);
      const row = {
        variant,
        tenant,
        api,
        clients: mode.clients,
        buffers: mode.cold ? 'cold' : 'warm',
        n: samples.length,
        p50: percentile(samples, 50),
        p99: percentile(samples, 99),
      };
      results.push(row);
      console.log(
        `  ${variant} ${tenant} ${api} ${row.clients}c ${row.buffers}: p50 ${fmt(row.p50)} p99 ${fmt(row.p99)} (n=${row.n})`,
      );
    }
  }
}

const both: Array<'heavy' | 'typical'> = ['heavy', 'typical'];
// Naive without indexes: each request is ~100 parallel seq scans of millions of rows: one sample, heavy tenant.
if (naiveToo) {
  await dropIndexes(pool);
  await pool.query('ANALYZE calls, leads, agents, agent_analytics');
  if (!quick)
    await scenario('naive, no indexes', naive, { clients: 1, cold: false, iterations: 1 }, ['heavy']);

  const built = await applyIndexes(pool);
  log(`indexes: ${built.map((r) => `${r.name} ${r.status} ${fmt(r.durationMs)}`).join(', ')}`);
  await runRollup(db, { full: false });
  await pool.query('VACUUM (ANALYZE) agent_analytics, agent_totals, tenant_daily, calls, leads, agents');

  await scenario('naive, indexes', naive, { clients: 1, cold: false, iterations: quick ? 2 : 5 }, both);
  await scenario('naive, indexes', naive, { clients: 1, cold: true, iterations: quick ? 2 : 3 }, ['heavy']);
  if (!quick) await scenario('naive, indexes', naive, { clients: 50, cold: true, iterations: 1 }, ['heavy']);
} else {
  // --perfkit-only: no naive runs; the indexes are built if an earlier run has not.
  log(`indexes: ${(await applyIndexes(pool)).map((r) => `${r.name} ${r.status}`).join(', ')}`);
  await pool.query('VACUUM (ANALYZE) agent_analytics, agent_totals, tenant_daily, calls, leads, agents');
}

await scenario('perfkit', optimized, { clients: 1, cold: false, iterations: quick ? 50 : 300 }, both);
await scenario('perfkit', optimized, { clients: 1, cold: true, iterations: quick ? 5 : 20 }, both);
await scenario('perfkit', optimized, { clients: 50, cold: false, iterations: quick ? 2 : 10 }, both);
await scenario('perfkit', optimized, { clients: 50, cold: true, iterations: quick ? 2 : 5 }, both);

log();
log('| variant | tenant | API | clients | buffers | n | p50 | p99 |');
log('| --- | --- | --- | ---: | --- | ---: | ---: | ---: |');
for (const r of results)
  log(
    `| ${r.variant} | ${r.tenant} | ${r.api} | ${r.clients} | ${r.buffers} | ${r.n} | ${fmt(r.p50)} | ${fmt(r.p99)} |`,
  );

// EXPLAIN of each catalog query for the heavy tenant: no sequential scan on calls or leads.
log();
log('| catalog query | kind | seq scans | plan root | est. cost |');
log('| --- | --- | --- | --- | ---: |');
type PlanNode = { 'Node Type': string; 'Relation Name'?: string; 'Total Cost': number; Plans?: PlanNode[] };
const seqScans = (node: PlanNode): string[] => [
  ...(node['Node Type'] === 'Seq Scan' ? [node['Relation Name'] ?? '?'] : []),
  ...(node.Plans ?? []).flatMap(seqScans),
];
let violations = 0;
for (const query of await catalogQueries(db, { userId: heavy.user_id, now })) {
  const { rows } = await pool.query(`EXPLAIN (FORMAT JSON) ${query.sql}`, [...query.parameters]);
  const plan = (rows[0] as { 'QUERY PLAN': Array<{ Plan: PlanNode }> })['QUERY PLAN'][0]?.Plan as PlanNode;
  const scans = seqScans(plan);
  if (scans.some((r) => r === 'calls' || r === 'leads')) violations++;
  log(
    `| ${query.name} | ${query.kind} | ${scans.join(', ') || 'none'} | ${plan['Node Type']} | ${plan['Total Cost'].toFixed(0)} |`,
  );
}
log(`catalog queries with a seq scan on calls or leads: ${violations}`);

mkdirSync(new URL('../results/', import.meta.url), { recursive: true });
writeFileSync(
  new URL(`../results/queries-${scale}${naiveToo ? '' : '-perfkit'}.md`, import.meta.url),
  `${lines.join('\n')}\n`,
);
await handle.destroy();
