import { createTestSchema, type TestSchema } from '@perfkit/testing';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  hashApiKey,
  SEED_ANCHOR,
  type SeedManifest,
  seedDatabase,
  tableChecksums,
} from './support/queries.js';

let t: TestSchema;
let manifest: SeedManifest;
beforeAll(async () => {
  t = await createTestSchema('seed');
  manifest = await seedDatabase(t.db, { scale: 'tiny' });
});
afterAll(() => t?.drop());

describe('seedDatabase', () => {
  it('produces identical rows on every run', async () => {
    const first = await tableChecksums(t.db);
    await seedDatabase(t.db, { scale: 'tiny' });
    expect(await tableChecksums(t.db)).toEqual(first);
  });

  it('produces different rows for a different seed', async () => {
    const other = await createTestSchema('seed_other');
    try {
      await seedDatabase(other.db, { scale: 'tiny', seed: 7 });
      const [a, b] = await Promise.all([tableChecksums(t.db), tableChecksums(other.db)]);
      expect(b.calls.rows).toBe(a.calls.rows);
      expect(b.calls.checksum).not.toBe(a.calls.checksum);
    } finally {
      await other.drop();
    }
  });

  it('reports the counts it loaded in its manifest', async () => {
    const counts = await sql<{ users: number; agents: number; calls: number; leads: number }>`
      SELECT (SELECT count(*) FROM users) AS users, (SELECT count(*) FROM agents) AS agents,
             (SELECT count(*) FROM calls) AS calls, (SELECT count(*) FROM leads) AS leads`.execute(t.db);
    expect(manifest.counts).toEqual(counts.rows[0]);
    expect(manifest.counts).toMatchObject({ users: 3, agents: 10, calls: 3000 });
    expect(manifest.users.reduce((n, u) => n + u.calls, 0)).toBe(3000);
    expect(manifest.heavyUser.id).toBe(1);
  });

  it('stores only the hash of each API key', async () => {
    const users = await t.db.selectFrom('users').select(['id', 'api_key_hash']).orderBy('id').execute();
    for (const user of users) {
      const planned = manifest.users.find((u) => u.id === user.id);
      expect(user.api_key_hash).toBe(hashApiKey(planned?.apiKey ?? ''));
      expect(user.api_key_hash).not.toContain(planned?.apiKey);
    }
  });

  it('keeps every row within the 180 days up to the anchor', async () => {
    const span = await sql<{ first: Date; last: Date; lead_last: Date }>`
      SELECT min(created_at) AS first, max(created_at) AS last, (SELECT max(created_at) FROM leads) AS lead_last
      FROM calls`.execute(t.db);
    const row = span.rows[0];
    expect(row?.last.getTime()).toBeLessThanOrEqual(SEED_ANCHOR.getTime());
    expect(row?.lead_last.getTime()).toBeLessThanOrEqual(SEED_ANCHOR.getTime());
    expect(SEED_ANCHOR.getTime() - (row?.first.getTime() ?? 0)).toBeLessThanOrEqual(181 * 86_400_000);
  });

  it('has the shapes the contract tests need', async () => {
    const shape = await sql<Record<string, number>>`
      SELECT
        (SELECT count(*) FROM agents WHERE status = 'paused') AS paused,
        (SELECT count(*) FROM agents WHERE status = 'archived') AS archived,
        (SELECT count(*) FROM agents a WHERE NOT EXISTS (SELECT 1 FROM calls c WHERE c.agent_id = a.id)) AS idle_agents,
        (SELECT count(*) FROM leads WHERE score IS NULL) AS unscored,
        (SELECT count(*) FROM leads WHERE call_id IS NULL) AS without_call,
        (SELECT count(DISTINCT status) FROM calls) AS call_statuses,
        (SELECT count(*) FROM calls WHERE status = 'completed' AND duration_seconds > 0) AS completed_with_duration,
        (SELECT count(*) FROM agents WHERE elevenlabs_agent_id !~ '^agent_[a-z0-9]{26}$') AS bad_el_ids`.execute(
      t.db,
    );
    const s = shape.rows[0] ?? {};
    expect(s.paused).toBeGreaterThan(0);
    expect(s.archived).toBeGreaterThan(0);
    expect(s.idle_agents).toBe(1);
    expect(s.unscored).toBeGreaterThan(0);
    expect(s.without_call).toBeGreaterThan(0);
    expect(s.call_statuses).toBeGreaterThanOrEqual(4);
    expect(s.completed_with_duration).toBeGreaterThan(0);
    expect(s.bad_el_ids).toBe(0);
  });

  it('puts leads on about a fifth of calls', async () => {
    expect(manifest.counts.leads / manifest.counts.calls).toBeGreaterThan(0.15);
    expect(manifest.counts.leads / manifest.counts.calls).toBeLessThan(0.27);
  });

  it('rejects an unknown scale with a clear message', async () => {
    await expect(seedDatabase(t.db, { scale: 'huge' as never })).rejects.toThrow(/unknown seed scale "huge"/);
  });
});
