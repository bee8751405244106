import { createTestSchema, type TestSchema } from '@perfkit/testing';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let t: TestSchema;
beforeAll(async () => {
  t = await createTestSchema('schema');
});
afterAll(() => t?.drop());

async function insertUserAndAgent() {
  const user = await t.db
    .insertInto('users')
    .values({ email: `u${Math.random()}@example.com`, api_key_hash: `h${Math.random()}` })
    .returning('id')
    .executeTakeFirstOrThrow();
  const agent = await t.db
    .insertInto('agents')
    .values({ user_id: user.id, name: 'Agent', elevenlabs_agent_id: `agent_${Math.random()}` })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { userId: user.id, agentId: agent.id };
}

describe('base schema', () => {
  it('creates the platform tables', async () => {
    const tables = await sql<{ table_name: string }>`
      SELECT table_name FROM information_schema.tables WHERE table_schema = ${t.schema} ORDER BY 1`.execute(
      t.db,
    );
    expect(tables.rows.map((r) => r.table_name)).toEqual(
      expect.arrayContaining(['agent_analytics', 'agents', 'calls', 'leads', 'users', 'webhook_deliveries']),
    );
  });

  it('has no indexes on platform tables beyond primary keys and unique constraints', async () => {
    const indexes = await sql<{ indexname: string; constrained: boolean }>`
      SELECT i.indexname, EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname
        AND c.connamespace = ${t.schema}::regnamespace AND c.contype IN ('p', 'u')) AS constrained
      FROM pg_indexes i WHERE i.schemaname = ${t.schema} AND i.tablename IN ('users', 'agents', 'calls', 'leads', 'agent_analytics', 'webhook_deliveries')`.execute(
      t.db,
    );
    expect(indexes.rows.length).toBeGreaterThan(0);
    expect(indexes.rows.filter((r) => !r.constrained)).toEqual([]);
  });

  it('returns counts and ids as numbers', async () => {
    const { agentId } = await insertUserAndAgent();
    const row = await t.db
      .selectFrom('agents')
      .select((eb) => [eb.fn.countAll().as('n'), eb.fn.max('id').as('maxId')])
      .executeTakeFirstOrThrow();
    expect(typeof row.n).toBe('number');
    expect(row.maxId).toBeGreaterThanOrEqual(agentId);
  });

  it('rejects a call whose agent belongs to another tenant', async () => {
    const a = await insertUserAndAgent();
    const b = await insertUserAndAgent();
    await expect(
      t.db
        .insertInto('calls')
        .values({ user_id: a.userId, agent_id: b.agentId, status: 'completed' })
        .execute(),
    ).rejects.toThrow(/foreign key/);
  });

  it('rejects a lead score outside 0..100 and an unknown status', async () => {
    const a = await insertUserAndAgent();
    const lead = { user_id: a.userId, agent_id: a.agentId, name: 'L', phone: '+15550100' };
    await expect(
      t.db
        .insertInto('leads')
        .values({ ...lead, score: 101 })
        .execute(),
    ).rejects.toThrow(/check/);
    await expect(
      t.db
        .insertInto('leads')
        .values({ ...lead, status: 'won' as never })
        .execute(),
    ).rejects.toThrow(/check/);
  });
});
