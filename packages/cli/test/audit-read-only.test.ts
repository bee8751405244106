import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { seedDatabase } from '@perfkit/queries/admin';
import { createTestSchema, type TestSchema } from '@perfkit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AuditReport, runAudit } from '../src/index.js';
import { runCli } from '../src/program.js';
import { memoryIo } from './helpers/latency-server.js';

describe('perf-cli audit never writes', () => {
  let t: TestSchema;
  let leads = 0;
  const dir = mkdtempSync(join(tmpdir(), 'perf-cli-read-only-'));
  const countLeads = async () =>
    (await t.pool.query('SELECT count(*)::int AS n FROM leads')).rows[0].n as number;
  const auditFile = async (name: string, text: string) => {
    const file = join(dir, name);
    writeFileSync(file, text);
    const run = memoryIo();
    const code = await runCli(
      ['audit', '--database-url', t.connectionString, '--queries', file, '--json'],
      run.io,
    );
    return { code, run };
  };

  beforeAll(async () => {
    t = await createTestSchema('cli_read_only');
    await seedDatabase(t.db, { scale: 'tiny' });
    leads = await countLeads();
  }, 120_000);
  afterAll(async () => {
    await t?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses a query file with transaction control in it, naming the statement, and the rows survive', async () => {
    const { code, run } = await auditFile('smuggle.sql', 'SELECT 1; COMMIT; DELETE FROM leads;\n');
    expect(code).toBe(2);
    expect(run.stderr()).toMatch(
      /^perf-cli: .*smuggle\.sql line 1: query-2 is a COMMIT statement, which the audit does not run/,
    );
    expect(run.stderr()).not.toMatch(/\n\s+at /);
    expect(leads).toBeGreaterThan(0);
    expect(await countLeads()).toBe(leads);
  });

  it('refuses a JSON entry holding several statements', async () => {
    const { code, run } = await auditFile(
      'smuggle.json',
      JSON.stringify([{ name: 'smuggled', sql: 'SELECT 1; COMMIT; DELETE FROM leads' }]),
    );
    expect(code).toBe(2);
    expect(run.stderr()).toContain('query #1: "sql" must hold exactly one statement, found 3');
    expect(await countLeads()).toBe(leads);
  });

  it('refuses a JSON entry whose -- comment a carriage return ends, counting statements as PostgreSQL does', async () => {
    const sql = 'SELECT 1 --x\r; COMMIT; INSERT INTO t VALUES (17)';
    // The simple query protocol runs what PostgreSQL reads as separate statements: three of them.
    const counted = await t.pool.query('SELECT 1 --x\r; SELECT 2; SELECT 3');
    expect(counted).toHaveLength(3);
    const { code, run } = await auditFile('carriage-return.json', JSON.stringify([{ name: 'cr', sql }]));
    expect(code).toBe(2);
    expect(run.stderr()).toContain('query #1: "sql" must hold exactly one statement, found 3');
  });

  it('cannot be made to commit by text handed to the library: the extended protocol takes one statement', async () => {
    const report = await runAudit({
      connectionString: t.connectionString,
      queries: [{ name: 'smuggled', sql: 'SELECT 1; COMMIT; DELETE FROM leads', parameters: [] }],
    });
    expect(report.findings.find((f) => f.query === 'smuggled')?.kind).toBe('query_error');
    expect(report.queries[0]?.error).toMatch(/multiple commands/);
    expect(await countLeads()).toBe(leads);
  });

  it('does not run a write — plain, in a CTE or inside a function — and checks its estimated plan instead', async () => {
    await t.pool.query(
      `CREATE FUNCTION ${t.schema}.wipe_leads() RETURNS bigint LANGUAGE sql AS 'DELETE FROM leads RETURNING 1'`,
    );
    const { code, run } = await auditFile(
      'writes.sql',
      [
        '-- name: delete-leads',
        'DELETE FROM leads;',
        '-- name: cte-delete',
        'WITH gone AS (DELETE FROM leads RETURNING id) SELECT count(*) FROM gone;',
        '-- name: function-delete',
        'SELECT wipe_leads();',
      ].join('\n'),
    );
    expect(code).toBe(0);
    const report = JSON.parse(run.stdout()) as AuditReport;
    for (const name of ['delete-leads', 'cte-delete', 'function-delete']) {
      expect(report.findings.find((f) => f.query === name)).toMatchObject({
        kind: 'write_not_executed',
        severity: 'info',
      });
      const audited = report.queries.find((q) => q.name === name);
      expect(audited?.executionMs).toBeNull();
      expect(audited?.totalCost).toBeGreaterThan(0);
    }
    expect(await countLeads()).toBe(leads);
  });
});
