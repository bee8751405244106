// `pnpm demo`: seeds `small` into its own database, starts the naive app (the
// measured "before") with the fake ElevenLabs in-process, runs a short load on
// the three APIs and prints the table. The full baseline is
// `pnpm --filter @perfkit/bench run baseline`.
import { DEFAULT_DATABASE_URL } from '@perfkit/queries';
import pg from 'pg';
import { ensureDatabase, migrateAndSeed, withDatabase } from './database-setup.js';
import { startAppProcess } from './load/app-process.js';
import { runLoad } from './load/baseline-load.js';
import { formatTable } from './load/baseline-table.js';
import { baselineTargets } from './load/baseline-targets.js';

const DEMO_DATABASE = 'perfkit_demo';
const connections = Number(process.env.DEMO_CONNECTIONS ?? 10);
const requests = Number(process.env.DEMO_REQUESTS ?? 20);

async function postgresAnswers(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3_000 });
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

const serverUrl = process.env.DATABASE_URL || DEFAULT_DATABASE_URL;
if (!(await postgresAnswers(withDatabase(serverUrl, 'postgres')))) {
  console.error(
    `No PostgreSQL answers at ${new URL(serverUrl).host}. Start one (see the README) or set DATABASE_URL.\n` +
      'The embedded PGlite fallback is not implemented yet.',
  );
  process.exit(1);
}

const url = withDatabase(serverUrl, DEMO_DATABASE);
if (await ensureDatabase(url)) console.log(`created database ${DEMO_DATABASE}`);
console.log(`seeding scale small into ${DEMO_DATABASE} …`);
const manifest = await migrateAndSeed(url, 'small');
const { counts } = manifest;
console.log(
  `seeded in ${(manifest.durationMs / 1000).toFixed(1)} s: ${counts.users} users, ${counts.agents} agents, ` +
    `${counts.calls} calls, ${counts.leads} leads (heavy tenant: ${manifest.heavyUser.email})`,
);

const app = await startAppProcess({
  DATABASE_URL: url,
  MODE: 'naive',
  NOW: manifest.anchor,
  ELEVENLABS_BASE_URL: '',
  ELEVENLABS_API_KEY: '',
});
console.log(`naive app on ${app.url} (fake ElevenLabs in-process, median latency 300 ms)`);
console.log(
  `try: curl -H 'Authorization: Bearer ${manifest.heavyUser.apiKey}' ${app.url}/api/dashboard/overview`,
);
console.log(`\nshort baseline load: ${requests} requests per endpoint over ${connections} connections …`);

try {
  const results = [];
  for (const target of baselineTargets(manifest)) {
    const result = await runLoad(app.url, target, { connections, requests });
    console.log(`  ${target.endpoint} ${target.tenants}: p50 ${result.p50} ms, p99 ${result.p99} ms`);
    results.push(result);
  }
  console.log(`\nnaive mode ("before"), small seed, ${connections} connections:`);
  console.log(formatTable(results));
  console.log(
    'The full baseline (50 connections, small and large): pnpm --filter @perfkit/bench run baseline',
  );
} finally {
  await app.stop();
}
