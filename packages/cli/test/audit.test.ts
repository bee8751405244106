import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { seedDatabase } from '@perfkit/queries/admin';
import { createTestSchema, type TestSchema } from '@perfkit/testing';
import { Ajv } from 'ajv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AuditReport, auditReportJsonSchema } from '../src/index.js';
import { runCli } from '../src/program.js';
import { memoryIo } from './helpers/latency-server.js';

/** Queries shaped like the platform's naive ones, for the heavy tenant (user 1). */
const PLATFORM_QUERIES = `
-- name: recent-calls
SELECT id, status, created_at FROM calls WHERE user_id = 1 ORDER BY created_at DESC, id DESC LIMIT 5;
-- name: agent-calls
SELECT count(*) FROM calls WHERE agent_id = 7;
-- name: agent-leads
SELECT count(*) FROM leads WHERE agent_id = 7 AND created_at >= TIMESTAMPTZ '2020-01-01';
-- name: agents-of-user
SELECT id, name FROM agents WHERE user_id = 1 ORDER BY created_at DESC LIMIT 20;
`;

describe('perf-cli audit on a seeded small database', () => {
  let t: TestSchema;
  let catalogBefore: AuditReport | undefined;
  const dir = mkdtempSync(join(tmpdir(), 'perf-cli-audit-'));
  const queries = join(dir, 'platform.sql');
  const audit = async (...extra: string[]) => {
    const run = memoryIo();
    const code = await runCli(
      ['audit', '--database-url', t.connectionString, '--queries', queries, '--json', ...extra],
      run.io,
    );
    expect(run.stderr()).toBe('');
    return { code, report: JSON.parse(run.stdout()) as AuditReport };
  };
  const has = (report: AuditReport, kind: string, table: string) =>
    report.findings.some((f) => f.kind === kind && f.table === table);

  beforeAll(async () => {
    writeFileSync(queries, PLATFORM_QUERIES);
    t = await createTestSchema('cli_audit');
    await seedDatabase(t.db, { scale: 'small' });
    await t.pool.query('ANALYZE');
    // Seeding 250k calls takes ~15 s alone, far longer when every package's tests share two cores.
  }, 300_000);
  afterAll(async () => {
    await t?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('finds the planted missing foreign-key indexes and sequential scans, and fails at --fail-on high', async () => {
    const { code, report } = await audit('--fail-on', 'high');
    expect(code).toBe(1);
    expect(report.database.schema).toBe(t.schema);
    const fkTables = report.findings.filter((f) => f.kind === 'fk_without_index').map((f) => f.table);
    expect(fkTables).toEqual(expect.arrayContaining(['calls', 'leads', 'agents']));
    expect(has(report, 'seq_scan_large_table', 'calls')).toBe(true);
    expect(
      report.findings.find((f) => f.kind === 'seq_scan_large_table' && f.query === 'agent-calls')?.severity,
    ).toBe('high');
    const suggestion = report.suggestions.find((s) => s.table === 'calls' && s.columns[0] === 'agent_id');
    expect(suggestion?.sql).toContain('CREATE INDEX CONCURRENTLY');
    expect(suggestion?.status).toBe(report.extensions.hypopg ? 'verified' : 'unverified');
    expect(report.queries.every((q) => q.error === null && q.executionMs !== null)).toBe(true);
    if (!report.extensions.pgStatStatements) expect(report.topQueries).toBeNull();
  });

  it('explains every catalog query by default and finds sequential scans of calls in the naive shapes', async () => {
    const run = memoryIo();
    await runCli(['audit', '--database-url', t.connectionString, '--json'], run.io);
    const report = JSON.parse(run.stdout()) as AuditReport;
    catalogBefore = report;
    expect(report.queries.length).toBeGreaterThan(5);
    expect(report.queries.every((q) => q.error === null)).toBe(true);
    expect(
      report.findings.some(
        (f) => f.kind === 'seq_scan_large_table' && f.table === 'calls' && f.query?.startsWith('naive.'),
      ),
    ).toBe(true);
  });

  it('produces JSON that matches the published audit schema', async () => {
    const { report } = await audit();
    const validate = new Ajv({ allErrors: true }).compile(auditReportJsonSchema());
    expect(validate(report), JSON.stringify(validate.errors)).toBe(true);
  });

  it('verifies suggestions with HypoPG where the extension is available', async ({ skip }) => {
    const available = await t.pool.query(
      "SELECT EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'hypopg') AS available, EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'hypopg') AS installed",
    );
    // Only where the package is there and no one else in this database uses it (CI has no HypoPG).
    if (!available.rows[0].available || available.rows[0].installed) skip();
    await t.pool.query(`CREATE EXTENSION hypopg SCHEMA ${t.schema}`);
    try {
      const { report } = await audit();
      expect(report.extensions.hypopg).toBe(true);
      const suggestion = report.suggestions.find((s) => s.table === 'calls' && s.columns[0] === 'agent_id');
      expect(suggestion?.status).toBe('verified');
      expect(suggestion?.costAfter).toBeLessThan((suggestion?.costBefore ?? 0) * 0.9);
    } finally {
      await t.pool.query('DROP EXTENSION hypopg');
    }
  });

  it('reports the planted problems gone after indexes apply', async () => {
    const apply = memoryIo();
    expect(await runCli(['indexes', 'apply', '--database-url', t.connectionString], apply.io)).toBe(0);
    expect(apply.stdout()).toMatch(/calls_agent_created_idx.*created/);
    const status = memoryIo();
    expect(
      await runCli(['indexes', 'status', '--database-url', t.connectionString, '--json'], status.io),
    ).toBe(0);
    expect(
      JSON.parse(status.stdout()).every((s: { exists: boolean; valid: boolean }) => s.exists && s.valid),
    ).toBe(true);

    const { code, report } = await audit('--fail-on', 'high');
    expect(report.findings.filter((f) => f.kind === 'fk_without_index')).toEqual([]);
    expect(report.findings.filter((f) => f.kind === 'seq_scan_large_table')).toEqual([]);
    expect(report.suggestions).toEqual([]);
    expect(code).toBe(0);

    const run = memoryIo();
    await runCli(['audit', '--database-url', t.connectionString, '--json'], run.io);
    const catalog = JSON.parse(run.stdout()) as AuditReport;
    const scansOfRawRows = (r: AuditReport | undefined) =>
      r?.findings.filter(
        (f) => f.kind === 'seq_scan_large_table' && (f.table === 'calls' || f.table === 'leads'),
      ) ?? [];
    expect(scansOfRawRows(catalogBefore).length).toBeGreaterThan(0);
    expect(scansOfRawRows(catalog)).toEqual([]);
  });

  it('cancels a query at the statement timeout and reports it', async () => {
    const slow = join(dir, 'slow.sql');
    writeFileSync(slow, '-- name: sleepy\nSELECT pg_sleep(5);\n');
    const run = memoryIo();
    await runCli(
      [
        'audit',
        '--database-url',
        t.connectionString,
        '--queries',
        slow,
        '--statement-timeout',
        '100ms',
        '--json',
      ],
      run.io,
    );
    const report = JSON.parse(run.stdout()) as AuditReport;
    expect(report.findings.find((f) => f.query === 'sleepy')?.kind).toBe('statement_timeout');
  });
});

describe('perf-cli audit input errors', () => {
  it('exits 2 with one line when the database is unreachable', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'perf-cli-audit-'));
    const file = join(dir, 'one.sql');
    writeFileSync(file, 'SELECT 1;\n');
    const run = memoryIo();
    const code = await runCli(
      ['audit', '--database-url', 'postgresql://postgres@127.0.0.1:1/none', '--queries', file],
      run.io,
    );
    expect(code).toBe(2);
    expect(run.stderr()).toMatch(/^perf-cli: cannot connect to postgresql:\/\/postgres@127.0.0.1:1\/none/);
    expect(run.stderr()).not.toMatch(/\n\s+at /);
    rmSync(dir, { recursive: true, force: true });
  });

  it('exits 2 for an unknown --fail-on severity', async () => {
    const run = memoryIo();
    expect(await runCli(['audit', '--fail-on', 'critical'], run.io)).toBe(2);
    expect(run.stderr()).toContain("argument 'critical' is invalid");
  });
});
