// Seeds the same scale into two fresh databases and compares per-table
// checksums and load times: the seed's determinism and speed acceptance.
//   pnpm --filter @perfkit/bench run seed [-- --scale large]
import { parseArgs } from 'node:util';
import { createDatabase } from '@perfkit/queries';
import { migrateToLatest, type SeedScale, seedDatabase, tableChecksums } from '@perfkit/queries/admin';
import Table from 'cli-table3';
import { dropDatabase, scratchDatabase } from '../support/scratch-database.js';

const { values } = parseArgs({
  // pnpm forwards its `--` separator; drop it.
  args: process.argv.slice(2).filter((arg) => arg !== '--'),
  options: { scale: { type: 'string', default: 'large' } },
});
const scale = values.scale as SeedScale;

const runs = [];
for (const name of ['perfkit_seed_check_a', 'perfkit_seed_check_b']) {
  const handle = createDatabase({ connectionString: await scratchDatabase(name, { fresh: true }) });
  await migrateToLatest(handle.db);
  const manifest = await seedDatabase(handle.db, { scale });
  runs.push({ name, manifest, checksums: await tableChecksums(handle.db) });
  await handle.destroy();
  await dropDatabase(name);
}

const [a, b] = runs as [(typeof runs)[number], (typeof runs)[number]];
const table = new Table({ head: ['table', 'rows', 'checksum run 1', 'checksum run 2', 'identical'] });
for (const [name, first] of Object.entries(a.checksums)) {
  const second = b.checksums[name as keyof typeof b.checksums];
  table.push([name, first.rows, first.checksum, second.checksum, String(first.checksum === second.checksum)]);
}
console.log(
  `seed --scale ${scale}: run 1 ${(a.manifest.durationMs / 1000).toFixed(1)} s, run 2 ${(b.manifest.durationMs / 1000).toFixed(1)} s`,
);
console.log(table.toString());
