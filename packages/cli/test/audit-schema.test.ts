import { seedDatabase } from '@perfkit/queries/admin';
import { createTestSchema, TEST_DATABASE_URL, type TestSchema } from '@perfkit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditReport } from '../src/index.js';
import { runCli } from '../src/program.js';
import { memoryIo } from './helpers/latency-server.js';

describe('perf-cli --schema', () => {
  let app: TestSchema;
  let other: TestSchema;
  // A connection whose search_path holds only a schema without the app's tables.
  const elsewhere = new URL(TEST_DATABASE_URL);
  const unreachable = 'postgresql://nobody@127.0.0.1:9/none';
  const run = async (...args: string[]) => {
    const io = memoryIo();
    const code = await runCli(args, io.io);
    return { code, stdout: io.stdout(), stderr: io.stderr() };
  };

  beforeAll(async () => {
    app = await createTestSchema('cli_schema_app');
    await seedDatabase(app.db, { scale: 'tiny' });
    other = await createTestSchema('cli_schema_other', { migrate: false });
    elsewhere.searchParams.set('options', `-c search_path=${other.schema}`);
  }, 120_000);
  afterAll(async () => {
    await app?.drop();
    await other?.drop();
  });

  it("runs the catalog's queries in --schema, not on the connection's search_path", async () => {
    const { code, stdout } = await run(
      'audit',
      '--database-url',
      elsewhere.toString(),
      '--schema',
      app.schema,
      '--json',
    );
    expect(code).toBe(0);
    const report = JSON.parse(stdout) as AuditReport;
    expect(report.database.schema).toBe(app.schema);
    expect(report.queries.length).toBeGreaterThan(10);
    expect(report.queries.filter((q) => q.error !== null)).toEqual([]);
    expect(report.findings.filter((f) => f.kind === 'query_error')).toEqual([]);
  });

  it('refuses a --schema that does not exist instead of passing a gate with nothing checked', async () => {
    // The connection's own path holds the app's tables: without the check the catalog ran there
    // and the schema checks found nothing in the missing schema, so --fail-on info passed.
    const { code, stdout, stderr } = await run(
      'audit',
      '--database-url',
      app.connectionString,
      '--schema',
      'no_such_schema',
      '--fail-on',
      'info',
    );
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(
      /^perf-cli: --schema "no_such_schema" does not exist in postgresql:\/\/postgres@\S+\n$/,
    );
  });

  it('indexes plan, apply and status refuse a --schema that does not exist, saying so', async () => {
    for (const command of ['plan', 'apply', 'status']) {
      const { code, stdout, stderr } = await run(
        'indexes',
        command,
        '--database-url',
        TEST_DATABASE_URL,
        '--schema',
        'no_such_schema',
      );
      expect(code, command).toBe(2);
      expect(stdout).toBe('');
      expect(stderr).toMatch(/^perf-cli: --schema "no_such_schema" does not exist in postgresql:\/\/\S+\n$/);
    }
  });

  it('refuses a --schema that is not a plain identifier before connecting, in audit and indexes', async () => {
    const bad = 'x"; DROP TABLE t; --';
    for (const args of [
      ['audit'],
      ['indexes', 'plan'],
      ['indexes', 'plan', '--offline'],
      ['indexes', 'apply'],
      ['indexes', 'status'],
    ]) {
      const { code, stdout, stderr } = await run(...args, '--database-url', unreachable, '--schema', bad);
      expect(code, args.join(' ')).toBe(2);
      expect(stdout).toBe('');
      expect(stderr).toBe(
        `perf-cli: --schema must be a plain identifier (lower-case letters, digits and _, not starting with a digit; at most 63 characters), got ${JSON.stringify(bad)}\n`,
      );
    }
  });
});
