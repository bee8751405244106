import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestSchema, type TestSchema } from '@perfkit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditReport } from '../src/index.js';
import { runCli } from '../src/program.js';
import { memoryIo } from './helpers/latency-server.js';

describe('perf-cli audit right after indexes apply', () => {
  let t: TestSchema;
  const dir = mkdtempSync(join(tmpdir(), 'perf-cli-unused-'));
  const file = join(dir, 'queries.sql');

  beforeAll(async () => {
    writeFileSync(file, '-- name: one\nSELECT 1;\n');
    t = await createTestSchema('cli_unused_index');
    const apply = memoryIo();
    expect(await runCli(['indexes', 'apply', '--database-url', t.connectionString], apply.io)).toBe(0);
    // An index of the app's own, built the same moment, that no query uses either.
    await t.pool.query('CREATE INDEX leads_phone_idx ON leads (phone)');
    // 1,000 scans of each table with none of these indexes, as an app would have made before the
    // build; statistics reach the shared counters at the end of the next transaction.
    const client = await t.pool.connect();
    try {
      await client.query(`DO $$ BEGIN FOR i IN 1..1000 LOOP
          PERFORM 1 FROM leads LIMIT 1; PERFORM 1 FROM analytics_dirty LIMIT 1;
        END LOOP; END $$`);
      await client.query('SELECT pg_stat_force_next_flush()');
      await client.query('SELECT 1');
    } finally {
      client.release();
    }
  });
  afterAll(async () => {
    await t?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("does not call the engine's declared indexes unused, and still calls the app's own one unused", async () => {
    const run = memoryIo();
    await runCli(['audit', '--database-url', t.connectionString, '--queries', file, '--json'], run.io);
    const report = JSON.parse(run.stdout()) as AuditReport;
    const unused = report.findings.filter((f) => f.kind === 'unused_index').map((f) => f.index);
    expect(unused).toEqual(['leads_phone_idx']);
  });
});
