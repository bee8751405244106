import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findPostgresBinaries, type PrivatePostgres, startPrivatePostgres } from '@perfkit/testing';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditReport } from '../src/index.js';
import { runCli } from '../src/program.js';
import { memoryIo } from './helpers/latency-server.js';

const bin = findPostgresBinaries();
const WORKLOAD = 'SELECT count(*) FROM generate_series(1, 20000) AS g WHERE g % 7 = 0';

// The shared server does not preload pg_stat_statements (it cannot be loaded later), so this file starts its own:
// it needs the server binaries (initdb, pg_ctl in /usr/lib/postgresql/<major>/bin or PG_BINDIR), which every
// machine of the project has; elsewhere the suite is reported as skipped.
describe.skipIf(!bin)('perf-cli audit with pg_stat_statements loaded', () => {
  let server: PrivatePostgres | undefined;
  const dir = mkdtempSync(join(tmpdir(), 'perf-cli-pgss-'));
  const queries = join(dir, 'one.sql');

  beforeAll(async () => {
    server = await startPrivatePostgres(bin ?? '', { shared_preload_libraries: 'pg_stat_statements' });
    const client = new pg.Client({ connectionString: server.url });
    await client.connect();
    try {
      await client.query('CREATE EXTENSION pg_stat_statements');
      for (let i = 0; i < 3; i++) await client.query(WORKLOAD);
    } finally {
      await client.end();
    }
    writeFileSync(queries, '-- name: one\nSELECT 1;\n');
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('lists the top statements by total time, with their calls', async () => {
    const run = memoryIo();
    expect(
      await runCli(['audit', '--database-url', server?.url ?? '', '--queries', queries, '--json'], run.io),
    ).toBe(0);
    const report = JSON.parse(run.stdout()) as AuditReport;
    expect(report.extensions.pgStatStatements).toBe(true);
    const workload = report.topQueries?.find((q) => q.query.includes('generate_series'));
    expect(workload?.calls).toBe(3);
    expect(workload?.totalMs).toBeGreaterThan(0);
    expect(report.notes.filter((n) => n.includes('pg_stat_statements'))).toEqual([]);
  });

  it('prints them in the table', async () => {
    const run = memoryIo();
    await runCli(['audit', '--database-url', server?.url ?? '', '--queries', queries], run.io);
    expect(run.stdout()).toMatch(/top statements \(pg_stat_statements\)[\s\S]*generate_series/);
  });
});
