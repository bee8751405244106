import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { writeReport } from '../../src/index.js';
import { runCli } from '../../src/program.js';
import { memoryIo } from '../helpers/latency-server.js';
import { buildReport, noisy } from '../helpers/report-builder.js';

describe('a bad value from a PERFKIT_* variable', () => {
  const dir = mkdtempSync(join(tmpdir(), 'perf-cli-env-sources-'));
  const report = join(dir, 'report.json');
  writeReport(report, buildReport(noisy(20, 12, 0.05)));
  afterEach(() => vi.unstubAllEnvs());
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  // Nothing listens there: every case is refused before any load would be sent.
  const load = ['loadtest', '-t', 'x=http://127.0.0.1:1/', '--no-progress'];

  it('is blamed on the variable, then the flag it stands for, exit 2', async () => {
    const cases: Array<[string, string, string[], string]> = [
      ['PERFKIT_RATE', 'abc', load, 'PERFKIT_RATE (--rate) must be a number, got "abc"'],
      ['PERFKIT_RATE', '0', load, 'PERFKIT_RATE (--rate) must be a number > 0 and <= 1000000, got 0'],
      ['PERFKIT_DURATION', '2 secs', load, 'PERFKIT_DURATION (--duration) must be a duration'],
      ['PERFKIT_SHARD', '9/2', load, 'PERFKIT_SHARD (--shard) must be K/N with 1 <= K <= N'],
      ['PERFKIT_START_AT', 'soon', load, 'PERFKIT_START_AT (--start-at) must be an ISO 8601 time'],
      [
        'PERFKIT_ALPHA',
        '2',
        ['compare', report, report],
        'PERFKIT_ALPHA (--alpha) must be a number > 0 and < 1, got 2',
      ],
      [
        'PERFKIT_REPETITIONS',
        '3',
        ['calibrate', '-t', 'x=http://127.0.0.1:1/'],
        'PERFKIT_REPETITIONS (-r/--repetitions) must be at least 4 to calibrate',
      ],
    ];
    for (const [variable, value, args, message] of cases) {
      vi.stubEnv(variable, value);
      const run = memoryIo();
      expect(await runCli(args, run.io), `${variable}=${value}`).toBe(2);
      expect(run.stderr()).toMatch(
        new RegExp(`^perf-cli: ${message.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}.*\n$`),
      );
      vi.unstubAllEnvs();
    }
  });

  it('is blamed on the flag when the flag was given, overriding the variable', async () => {
    vi.stubEnv('PERFKIT_RATE', '100');
    const run = memoryIo();
    expect(await runCli([...load, '--rate', 'abc'], run.io)).toBe(2);
    expect(run.stderr()).toBe('perf-cli: --rate must be a number, got "abc"\n');
  });
});
