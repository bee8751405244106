import { createTestSchema, type TestSchema } from '@perfkit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../src/program.js';
import { memoryIo } from './helpers/latency-server.js';

describe('perf-cli against a database without the app schema', () => {
  let t: TestSchema;
  beforeAll(async () => {
    t = await createTestSchema('cli_no_app', { migrate: false });
  });
  afterAll(() => t?.drop());

  const run = async (...args: string[]) => {
    const io = memoryIo();
    const code = await runCli([...args, '--database-url', t.connectionString], io.io);
    return { code, stdout: io.stdout(), stderr: io.stderr() };
  };

  it('audit says the schema is missing and how to create it, in one line, exit 2', async () => {
    const { code, stderr } = await run('audit');
    expect(code).toBe(2);
    expect(stderr).toMatch(
      /^perf-cli: postgresql:\/\/postgres@.* has no app schema for the query catalog \(relation "\w+" does not exist\): migrate and seed it first \(.*run seed\), or give the audit queries of your own\n$/,
    );
  });

  it('indexes plan, apply and status refuse before planning anything, naming the missing tables', async () => {
    for (const command of ['plan', 'apply', 'status']) {
      const { code, stdout, stderr } = await run('indexes', command, '--schema', t.schema);
      expect(code, command).toBe(2);
      expect(stdout).toBe('');
      expect(stderr).toMatch(
        new RegExp(
          `^perf-cli: .* \\(schema ${t.schema}\\) has no table agent_analytics, analytics_dirty, calls, leads, agents, which the indexes are declared on: migrate and seed it first .*\\n$`,
        ),
      );
    }
  });

  it('indexes --only checks just the tables of the chosen indexes', async () => {
    await t.pool.query('CREATE TABLE agents (id bigint, user_id bigint, created_at timestamptz)');
    const { code, stdout } = await run(
      'indexes',
      'plan',
      '--schema',
      t.schema,
      '--only',
      'agents_user_created_idx',
    );
    expect(code).toBe(0);
    expect(stdout).toContain('CREATE INDEX CONCURRENTLY IF NOT EXISTS agents_user_created_idx ON agents');
  });
});
