// `pnpm demo`: seeds `small` into its own database (`perfkit_demo` on
// DATABASE_URL's server or the local default; embedded PGlite when no
// PostgreSQL answers and DATABASE_URL is unset), starts the naive app (the
// measured "before") with the fake ElevenLabs in-process, runs a short load on
// the three APIs and prints the table. DEMO_SCALE, DEMO_CONNECTIONS,
// DEMO_REQUESTS and DEMO_EMBEDDED=1 adjust it. The full baseline is
// `pnpm --filter @perfkit/bench run baseline`.
import { DEFAULT_DATABASE_URL, type SeedScale } from '@perfkit/queries';
import pg from 'pg';
import { ensureDatabase, migrateAndSeed, withDatabase } from './database-setup.js';
import { type EmbeddedPostgres, startEmbeddedPostgres } from './embedded-postgres.js';
import { startNaiveApp } from './load/app-process.js';
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

/** The demo's database: its own on the local (or configured) server, else embedded PGlite. */
async function demoDatabase(): Promise<{ url: string; embedded?: EmbeddedPostgres }> {
  const configured = process.env.DATABASE_URL;
  const serverUrl = configured || DEFAULT_DATABASE_URL;
  if (process.env.DEMO_EMBEDDED !== '1' && (await postgresAnswers(withDatabase(serverUrl, 'postgres')))) {
    const url = withDatabase(serverUrl, DEMO_DATABASE);
    if (await ensureDatabase(url)) console.log(`created database ${DEMO_DATABASE}`);
    return { url };
  }
  if (configured && process.env.DEMO_EMBEDDED !== '1') {
    console.error(`No PostgreSQL answers at DATABASE_URL (${new URL(configured).host}).`);
    process.exit(1);
  }
  console.log(
    `No PostgreSQL at ${new URL(serverUrl).host}: starting an embedded PGlite instead ` +
      '(PostgreSQL in WASM, one backend: several times slower than a real server; takes a few seconds) …',
  );
  const embedded = await startEmbeddedPostgres();
  return { url: embedded.url, embedded };
}

const { url, embedded } = await demoDatabase();
const scale = (process.env.DEMO_SCALE ?? 'small') as SeedScale;
console.log(`seeding scale ${scale} into ${embedded ? 'PGlite' : DEMO_DATABASE} …`);
const manifest = await migrateAndSeed(url, scale);
const { counts } = manifest;
console.log(
  `seeded in ${(manifest.durationMs / 1000).toFixed(1)} s: ${counts.users} users, ${counts.agents} agents, ` +
    `${counts.calls} calls, ${counts.leads} leads (heavy tenant: ${manifest.heavyUser.email})`,
);

const app = await startNaiveApp(url, manifest.anchor);
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
  console.log(
    `\nnaive mode ("before"), ${scale} seed${embedded ? ' on PGlite' : ''}, ${connections} connections:`,
  );
  console.log(formatTable(results));
  console.log(
    'The full baseline (50 connections, small and large): pnpm --filter @perfkit/bench run baseline',
  );
} finally {
  await app.stop();
  await embedded?.stop();
}
