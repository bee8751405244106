import { createTestSchema, type TestSchema } from '@perfkit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalogQueries, runRollup, type SeedManifest, seedDatabase } from '../support/queries.js';

let t: TestSchema;
let manifest: SeedManifest;
beforeAll(async () => {
  t = await createTestSchema('catalog');
  manifest = await seedDatabase(t.db, { scale: 'tiny' });
  await runRollup(t.db, { full: true });
});
afterAll(() => t?.drop());

describe('catalogQueries', () => {
  it('compiles every hot query, naive and optimized, with the heaviest tenant’s parameters', async () => {
    const catalog = await catalogQueries(t.db);
    expect(new Set(catalog.map((q) => q.name)).size).toBe(catalog.length);
    expect(catalog.filter((q) => q.kind === 'optimized').length).toBeGreaterThanOrEqual(7);
    expect(catalog.filter((q) => q.kind === 'naive').length).toBeGreaterThanOrEqual(5);
    for (const query of catalog) {
      if (!/of-agent/.test(query.name)) expect(query.parameters, query.name).toContain(manifest.heavyUser.id);
      const plan = await t.pool.query(`EXPLAIN (FORMAT JSON) ${query.sql}`, [...query.parameters]);
      expect(plan.rows).toHaveLength(1);
    }
  });

  it('uses the tenant it is given', async () => {
    const other = manifest.users.find((u) => u.id !== manifest.heavyUser.id);
    const catalog = await catalogQueries(t.db, { userId: other?.id as number });
    expect(catalog.find((q) => q.name === 'overview.counts')?.parameters).toContain(other?.id);
  });
});
