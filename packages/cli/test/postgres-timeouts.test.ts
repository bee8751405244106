import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TEST_DATABASE_URL } from '@perfkit/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { type AuditReport, runAudit } from '../src/index.js';
import { runCli } from '../src/program.js';
import { POSTGRES_MAX_TIMEOUT_MS } from '../src/util/option-checks.js';
import { memoryIo } from './helpers/latency-server.js';

// Nothing listens there: a command that got as far as connecting would say so instead.
const UNREACHABLE = 'postgresql://postgres@127.0.0.1:1/x';

describe('timeouts PostgreSQL sets', () => {
  const dir = mkdtempSync(join(tmpdir(), 'perf-cli-timeouts-'));
  const queries = join(dir, 'one.sql');
  writeFileSync(queries, '-- name: one\nSELECT 1;\n');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses a timeout beyond PostgreSQL maximum up front, naming the flag, the value and the bound, exit 2', async () => {
    const cases: Array<[string[], string]> = [
      [
        ['audit', '--statement-timeout', '30d', '--fail-on', 'high'],
        '--statement-timeout must be > 0 and <= 2147483647 ms, got 2592000000 ms',
      ],
      [
        ['indexes', 'apply', '--lock-timeout', '30d'],
        '--lock-timeout must be >= 0 and <= 2147483647 ms, got 2592000000 ms',
      ],
      [
        ['indexes', 'apply', '--statement-timeout', '25d'],
        '--statement-timeout must be >= 0 and <= 2147483647 ms, got 2160000000 ms',
      ],
    ];
    for (const [args, message] of cases) {
      const run = memoryIo();
      expect(await runCli([...args, '--database-url', UNREACHABLE], run.io), args.join(' ')).toBe(2);
      expect(run.stderr()).toBe(`perf-cli: ${message}\n`);
    }
  });

  it('runs an audit at exactly the maximum: PostgreSQL accepts the bound', async () => {
    const report: AuditReport = await runAudit({
      connectionString: TEST_DATABASE_URL,
      queries: [{ name: 'one', sql: 'SELECT 1', parameters: [] }],
      statementTimeoutMs: POSTGRES_MAX_TIMEOUT_MS,
    });
    expect(report.queries[0]?.error).toBeNull();
    const run = memoryIo();
    expect(
      await runCli(
        [
          'audit',
          '--database-url',
          TEST_DATABASE_URL,
          '--queries',
          queries,
          '--statement-timeout',
          `${POSTGRES_MAX_TIMEOUT_MS}`,
        ],
        run.io,
      ),
    ).toBe(0);
    expect(run.stderr()).toBe('');
  });
});
