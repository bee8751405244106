// The measured "before": seeds each scale into its own database, runs the
// naive app (fake ElevenLabs in-process at its default latency) in a child
// process, and loads each endpoint with autocannon at 50 connections, for the
// heavy tenant and spread over the other tenants.
//   pnpm --filter @perfkit/bench run baseline [-- --scales small,large --requests 100 --timeout 300 --reuse]
//     [--connections 50 --endpoints overview,analytics,agents --tenants heavy,spread --label name]
// Default: small only; at 50 connections the naive app on large needs about an hour per endpoint.
// Results go to bench/results/baseline-<scale>[-<label>].{json,md}.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import {
  baselineTargets,
  ensureDatabase,
  formatMarkdown,
  formatTable,
  type LoadResult,
  migrateAndSeed,
  runLoad,
  startNaiveApp,
  withDatabase,
} from '@perfkit/express-app/load';
import { DEFAULT_DATABASE_URL, type SeedManifest, type SeedScale } from '@perfkit/queries';

const { values } = parseArgs({
  // pnpm forwards its `--` separator; drop it.
  args: process.argv.slice(2).filter((arg) => arg !== '--'),
  options: {
    scales: { type: 'string', default: 'small' },
    requests: { type: 'string', default: '100' },
    connections: { type: 'string', default: '50' },
    timeout: { type: 'string', default: '300' },
    endpoints: { type: 'string', default: 'overview,analytics,agents' },
    tenants: { type: 'string', default: 'heavy,spread' },
    label: { type: 'string', default: '' },
    reuse: { type: 'boolean', default: false },
  },
});
const scales = values.scales.split(',') as SeedScale[];
const endpoints = new Set(values.endpoints.split(','));
const tenants = new Set(values.tenants.split(','));
const load = {
  requests: Number(values.requests),
  connections: Number(values.connections),
  timeoutSeconds: Number(values.timeout),
};
const resultsDir = new URL('../results/', import.meta.url);
const suffix = values.label ? `-${values.label}` : '';
await mkdir(resultsDir, { recursive: true });

/** Seeds `scale` into its database, or reuses the last seed when asked and its manifest is there. */
async function prepare(scale: SeedScale, url: string): Promise<SeedManifest> {
  const manifestFile = new URL(`baseline-${scale}.manifest.json`, resultsDir);
  if (values.reuse) {
    try {
      return JSON.parse(await readFile(manifestFile, 'utf8')) as SeedManifest;
    } catch {
      // No manifest yet: seed below.
    }
  }
  await ensureDatabase(url);
  const manifest = await migrateAndSeed(url, scale);
  await writeFile(manifestFile, JSON.stringify(manifest, null, 2));
  return manifest;
}

const base = process.env.DATABASE_URL || DEFAULT_DATABASE_URL;
for (const scale of scales) {
  const url = withDatabase(base, `perfkit_baseline_${scale}`);
  const manifest = await prepare(scale, url);
  const { counts } = manifest;
  const heavy = manifest.users.find((user) => user.id === manifest.heavyUser.id);
  console.log(
    `\n${scale}: ${counts.users} users, ${counts.agents} agents, ${counts.calls} calls, ${counts.leads} leads; ` +
      `heavy tenant ${heavy?.agents} agents, ${heavy?.calls} calls (seeded in ${(manifest.durationMs / 1000).toFixed(1)} s)`,
  );
  console.log(
    `load: ${load.requests} requests per endpoint over ${load.connections} connections, client timeout ${load.timeoutSeconds} s`,
  );

  const app = await startNaiveApp(url, manifest.anchor);
  const results: LoadResult[] = [];
  try {
    for (const target of baselineTargets(manifest).filter(
      (t) => endpoints.has(t.endpoint) && tenants.has(t.tenants.split(' ')[0] ?? ''),
    )) {
      const result = await runLoad(app.url, target, load);
      console.log(
        `  ${target.endpoint} ${target.tenants}: ${result.ok} ok, ${result.timeouts} timeouts, p50 ${result.p50} ms, p99 ${result.p99} ms in ${result.seconds} s`,
      );
      results.push(result);
    }
  } finally {
    await app.stop();
  }
  console.log(formatTable(results));
  const stamp = new Date().toISOString();
  await writeFile(
    new URL(`baseline-${scale}${suffix}.json`, resultsDir),
    JSON.stringify({ scale, stamp, counts, load, results }, null, 2),
  );
  await writeFile(new URL(`baseline-${scale}${suffix}.md`, resultsDir), `${formatMarkdown(results)}\n`);
}
