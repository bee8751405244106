import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type CompareResult, compareReports, writeReport } from '../../src/index.js';
import { runCli } from '../../src/program.js';
import { memoryIo } from '../helpers/latency-server.js';
import { buildReport } from '../helpers/report-builder.js';

describe('--metric', () => {
  const dir = mkdtempSync(join(tmpdir(), 'perf-cli-gate-options-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('gates a metric named twice once, in the order first named', () => {
    const report = buildReport([20, 20, 20, 20, 20, 20]);
    expect(compareReports(report, report, { metrics: ['p99', 'p50', 'p99', 'p50'] }).metrics).toEqual([
      'p99',
      'p50',
    ]);
  });

  it('does not split the false-alarm rate over a repeated metric: a clear regression stays one', async () => {
    // 5 + 5 repetitions reach p = 1/252 ≈ 0.004: under alpha 0.005 for one test, not for two (0.0025).
    const base = join(dir, 'base.json');
    const current = join(dir, 'current.json');
    writeReport(base, buildReport([20, 20.2, 19.9, 20.1, 20]));
    writeReport(current, buildReport([30, 30.2, 29.9, 30.1, 30]));
    const run = memoryIo();
    const args = [
      'compare',
      base,
      current,
      '--alpha',
      '0.005',
      '--metric',
      'p50',
      '--metric',
      'p50',
      '--json',
    ];
    expect(await runCli(args, run.io)).toBe(1);
    const result = JSON.parse(run.stdout()) as CompareResult;
    expect(result.verdict).toBe('regression');
    expect(result.targets[0]?.metrics.map((m) => m.metric)).toEqual(['p50']);
  });
});
