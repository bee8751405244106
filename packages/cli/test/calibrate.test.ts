import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { calibrateGate, writeReport } from '../src/index.js';
import { runCli } from '../src/program.js';
import { memoryIo } from './helpers/latency-server.js';
import { buildReport, noisy } from './helpers/report-builder.js';

describe('calibrateGate', () => {
  it('finds a smaller detectable regression on a quiet machine than on a noisy one', () => {
    const quiet = calibrateGate(buildReport(noisy(20, 12, 0.02)), { metrics: ['p50'] });
    const loud = calibrateGate(buildReport(noisy(20, 12, 0.3)), { metrics: ['p50'] });
    expect(quiet.smallestDetectable).not.toBeNull();
    expect(loud.smallestDetectable ?? 3).toBeGreaterThan(quiet.smallestDetectable ?? 0);
    // Never below the gate's minimum effect: smaller shifts are not called regressions.
    expect(quiet.smallestDetectable).toBeGreaterThanOrEqual(0.05);
    expect(quiet.entries[0]?.cv).toBeLessThan(0.02);
  });

  it('runs the real gate on the first half of an A/A run against the second, which passes', () => {
    const result = calibrateGate(buildReport(noisy(20, 12, 0.05)));
    expect(result.repetitionsPerSide).toBe(6);
    expect(result.aa.verdict).toBe('pass');
  });

  it("judges each half's own failures: a second half failing half its requests is an A/A regression", () => {
    const report = buildReport(noisy(20, 12, 0.05));
    for (const repetition of report.targets[0]?.repetitions.slice(6) ?? []) {
      repetition.errors = { status: 100, network: 0, timeout: 0 };
    }
    const { aa } = calibrateGate(report);
    expect(aa.targets[0]?.base.errors).toBe(0);
    expect(aa.targets[0]?.current.errors).toBe(600);
    expect(aa.verdict).toBe('regression');
  });

  it('refuses a run too short to split', () => {
    expect(() => calibrateGate(buildReport([20, 21]))).toThrow(/at least 4 repetitions/);
  });
});

describe('perf-cli calibrate', () => {
  it('prints the smallest detectable regression from a saved A/A run', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'perf-cli-calibrate-'));
    const file = join(dir, 'aa.json');
    writeReport(file, buildReport(noisy(20, 12, 0.02)));
    const run = memoryIo();
    expect(await runCli(['calibrate', '--from', file, '--metric', 'p50'], run.io)).toBe(0);
    expect(run.stdout()).toMatch(
      /smallest regression the gate detects \(every target and metric\): \+\d+\.\d%/,
    );
    expect(run.stdout()).toContain('A/A gate (first half vs second half): pass');
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses a saved run of 3 repetitions with exit 2, stating its real count', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'perf-cli-calibrate-'));
    const file = join(dir, 'short.json');
    writeReport(file, buildReport([20, 21, 22]));
    const run = memoryIo();
    expect(await runCli(['calibrate', '--from', file], run.io)).toBe(2);
    expect(run.stderr()).toContain('must have at least 4 repetitions per target to calibrate, got 3');
    rmSync(dir, { recursive: true, force: true });
  });
});
