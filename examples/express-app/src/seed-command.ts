import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { DEFAULT_DATABASE_URL } from '@perfkit/queries';
import { SEED_SCALES, type SeedScale } from '@perfkit/queries/admin';
import { ensureDatabase, migrateAndSeed } from './database-setup.js';

const USAGE = `Usage: pnpm seed [--scale tiny|small|large] [--manifest path.json]

Creates the database of DATABASE_URL if missing (default ${DEFAULT_DATABASE_URL}),
migrates it, replaces its rows with deterministic seed data, rolls up the
pre-aggregates and prints the counts.
  --scale     tiny (tests), small (demo, default) or large (benchmarks)
  --manifest  write each user's id and API key, the heavy tenant and the counts to this JSON file`;

function fail(message: string): never {
  console.error(`seed: ${message}\n\n${USAGE}`);
  process.exit(2);
}

let args: { scale?: string | undefined; manifest?: string | undefined; help?: boolean | undefined };
try {
  args = parseArgs({
    // pnpm passes a literal `--` through to the script (`pnpm seed -- --scale small`); it is not an argument.
    args: process.argv.slice(2).filter((arg, n) => !(n === 0 && arg === '--')),
    options: {
      scale: { type: 'string' },
      manifest: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  }).values;
} catch (error) {
  fail((error as Error).message);
}
if (args.help) {
  console.log(USAGE);
  process.exit(0);
}
const scale = (args.scale ?? 'small') as SeedScale;
if (!Object.hasOwn(SEED_SCALES, scale)) fail(`unknown --scale "${args.scale}"`);

const url = process.env.DATABASE_URL || DEFAULT_DATABASE_URL;
try {
  if (await ensureDatabase(url)) console.log(`created database ${new URL(url).pathname.slice(1)}`);
  console.log(`seeding scale ${scale} …`);
  const manifest = await migrateAndSeed(url, scale);
  const { counts } = manifest;
  console.log(
    `seeded and rolled up ${scale}: ${counts.users} users, ${counts.agents} agents, ` +
      `${counts.calls} calls, ${counts.leads} leads; heavy tenant ${manifest.heavyUser.email}; anchor (NOW) ${manifest.anchor}`,
  );
  if (args.manifest) {
    await writeFile(args.manifest, `${JSON.stringify(manifest, null, 2)}\n`);
    console.log(`manifest written to ${args.manifest}`);
  }
} catch (error) {
  console.error(`seed: failed: ${(error as Error).message}`);
  process.exit(1);
}
