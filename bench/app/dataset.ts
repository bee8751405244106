import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { baselineTargets, migrateAndSeed } from '@perfkit/express-app/load';
import type { SeedManifest } from '@perfkit/queries/admin';
import pg from 'pg';
import { scratchDatabase } from '../support/scratch-database.js';
import type { Api } from './report.js';

/** The seeded `large` database the suite measures, and who its tenants are. */
export interface Dataset {
  url: string;
  manifest: SeedManifest;
  heavy: SeedManifest['users'][number];
  /** Tenants other than the heavy one that have agents, evenly spaced over the seed's users. */
  spread: SeedManifest['users'];
}

/** The database bench/queries seeds `large` into; both suites read the same rows. */
export const DATABASE_NAME = 'perfkit_queries_large';
const MANIFEST_FILE = new URL('../results/app-large.manifest.json', import.meta.url);

async function readManifest(): Promise<SeedManifest | undefined> {
  try {
    return JSON.parse(await readFile(MANIFEST_FILE, 'utf8')) as SeedManifest;
  } catch {
    return undefined;
  }
}

/** Whether the database holds the manifest's seed, rolled up: same row counts, pre-aggregates present. */
async function matchesSeed(client: pg.Client, manifest: SeedManifest): Promise<boolean> {
  const exists = await client.query(`SELECT to_regclass('agent_analytics') IS NOT NULL AS ok`);
  if (!exists.rows[0]?.ok) return false;
  const { rows } = await client.query<{ users: number; agents: number; rolled: boolean }>(`
    SELECT (SELECT count(*)::int FROM users) AS users, (SELECT count(*)::int FROM agents) AS agents,
           EXISTS (SELECT 1 FROM agent_analytics) AS rolled`);
  const row = rows[0];
  return row?.rolled === true && row.users === manifest.counts.users && row.agents === manifest.counts.agents;
}

/**
 * Reuses `perfkit_queries_large` when it holds a seed this suite has the
 * manifest of (the API keys exist only there), else seeds and rolls it up
 * (minutes). `VACUUM (ANALYZE)` either way, so index-only scans see an
 * up-to-date visibility map, as autovacuum would leave a production database.
 *
 * @example
 * const { url, manifest, heavy, spread } = await prepareDataset(100, console.log);
 */
export async function prepareDataset(tenants: number, log: (line: string) => void): Promise<Dataset> {
  const url = await scratchDatabase(DATABASE_NAME);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    let manifest = await readManifest();
    if (manifest && (await matchesSeed(client, manifest))) {
      log(`reusing ${DATABASE_NAME} (seeded ${manifest.scale}, manifest in bench/results/)`);
    } else {
      log(`seeding large into ${DATABASE_NAME} and rolling it up (several minutes)…`);
      manifest = await migrateAndSeed(url, 'large');
      // A fresh clone has no bench/results/ yet.
      await mkdir(new URL('.', MANIFEST_FILE), { recursive: true });
      await writeFile(MANIFEST_FILE, JSON.stringify(manifest, null, 2));
      log(`seeded in ${(manifest.durationMs / 1000).toFixed(1)} s: ${JSON.stringify(manifest.counts)}`);
    }
    await client.query(
      'VACUUM (ANALYZE) users, agents, calls, leads, agent_analytics, agent_totals, tenant_daily',
    );
    const heavy = manifest.users.find((user) => user.id === manifest.heavyUser.id);
    if (!heavy) throw new Error('the manifest names no heavy tenant');
    const others = manifest.users.filter((user) => user.id !== heavy.id && user.agents > 0);
    const step = others.length / tenants;
    const spread = Array.from({ length: Math.min(tenants, others.length) }, (_, i) => {
      return others[Math.floor(i * step)] as SeedManifest['users'][number];
    });
    return { url, manifest, heavy, spread };
  } finally {
    await client.end();
  }
}

/** Each API's path with the query the app's baseline targets give it (`/api/dashboard/overview?range=30d`, …). */
export function apiPaths(manifest: SeedManifest): Record<Api, string> {
  return Object.fromEntries(
    baselineTargets(manifest)
      .filter((t) => t.tenants === 'heavy')
      .map((t) => [t.endpoint, t.path]),
  ) as Record<Api, string>;
}
