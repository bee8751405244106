import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestSchema, type TestSchema } from '@perfkit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditReport } from '../src/index.js';
import { runCli } from '../src/program.js';
import { memoryIo } from './helpers/latency-server.js';

// Shaped like the platform's dirty-day recompute: raw rows are scanned only for
// the keys a small table lists, and that table is empty after a rollup.
const QUERIES = `
-- name: recompute-pending
SELECT p.k, (SELECT count(*) FROM big b WHERE b.k = p.k) AS n FROM pending p;
`;

describe('perf-cli audit of a plan branch that never ran', () => {
  let t: TestSchema;
  const dir = mkdtempSync(join(tmpdir(), 'perf-cli-never-run-'));
  const file = join(dir, 'queries.sql');
  const audit = async () => {
    const run = memoryIo();
    const code = await runCli(
      ['audit', '--database-url', t.connectionString, '--queries', file, '--fail-on', 'medium', '--json'],
      run.io,
    );
    expect(run.stderr()).toBe('');
    const report = JSON.parse(run.stdout()) as AuditReport;
    return {
      code,
      scan: report.findings.find((f) => f.kind === 'seq_scan_large_table' && f.table === 'big'),
    };
  };

  beforeAll(async () => {
    writeFileSync(file, QUERIES);
    t = await createTestSchema('cli_never_run', { migrate: false });
    await t.pool.query(`
      CREATE TABLE big (id int, k int);
      INSERT INTO big SELECT g, g % 100 FROM generate_series(1, 20000) g;
      CREATE TABLE pending (k int);
      ANALYZE big; ANALYZE pending;`);
  });
  afterAll(async () => {
    await t?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reports a sequential scan under an empty branch as low and never executed, so --fail-on medium passes', async () => {
    const { code, scan } = await audit();
    expect(scan?.severity).toBe('low');
    expect(scan?.detail.executed).toBe(false);
    expect(scan?.message).toContain('never executed in this run');
    expect(code).toBe(0);
  });

  it('reports the same scan as high once its branch has rows to run it for', async () => {
    await t.pool.query('INSERT INTO pending VALUES (7)');
    const { code, scan } = await audit();
    expect(scan?.severity).toBe('high');
    expect(scan?.detail.executed).toBe(true);
    expect(scan?.message).not.toContain('never executed');
    expect(code).toBe(1);
  });
});
