import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigMismatchError, compareReports, rankSumPValue, readReport, writeReport } from '../src/index.js';
import { runCli } from '../src/program.js';
import { untilConclusive } from './helpers/conclusive.js';
import { type LatencyServer, memoryIo, startLatencyServer } from './helpers/latency-server.js';
import { buildReport, noisy } from './helpers/report-builder.js';

describe('the rank-sum test', () => {
  it('gives the exact permutation p-value, 1/924 for complete separation of 6 + 6', () => {
    expect(rankSumPValue([1, 2, 3, 4, 5, 6], [7, 8, 9, 10, 11, 12])).toBeCloseTo(1 / 924, 10);
    expect(rankSumPValue([7, 8, 9, 10, 11, 12], [1, 2, 3, 4, 5, 6])).toBe(1);
    expect(rankSumPValue([5, 5, 5], [5, 5, 5])).toBe(1);
  });
});

describe('compareReports', () => {
  it('passes an A/A comparison of two noisy runs of the same system', () => {
    const result = compareReports(buildReport(noisy(20, 6, 0.05, 1)), buildReport(noisy(20, 6, 0.05, 7)));
    expect(result.verdict).toBe('pass');
    expect(result.targets[0]?.metrics.every((m) => !m.regression)).toBe(true);
  });

  it('flags an injected +50% as a regression with its shift and p-value', () => {
    const result = compareReports(buildReport(noisy(20, 6, 0.05, 1)), buildReport(noisy(30, 6, 0.05, 7)));
    expect(result.verdict).toBe('regression');
    const p50 = result.targets[0]?.metrics.find((m) => m.metric === 'p50');
    expect(p50?.regression).toBe(true);
    expect(p50?.shift).toBeGreaterThan(0.4);
    expect(p50?.pValue).toBeLessThanOrEqual(0.005);
  });

  it('flags a rise of the error rate as a regression, which no latency figure shows', () => {
    const base = buildReport(noisy(20, 6, 0.05, 1));
    const current = buildReport(noisy(20, 6, 0.05, 7));
    const [target] = current.targets;
    if (!target) throw new Error('no target');
    target.errors = { status: 600, network: 0, timeout: 0 };

    const result = compareReports(base, current);
    expect(result.verdict).toBe('regression');
    expect(result.targets[0]?.errorRateRegression).toBe(true);
    expect(result.reasons).toContain('overview error rate: 0.0% (0 of 600) → 50.0% (600 of 1200) failed');
    expect(compareReports(base, current, { maxErrorIncrease: 0.5 }).verdict).toBe('pass');
  });

  it('flags the rise of failures even when too few answers are left to judge any latency', () => {
    const base = buildReport(noisy(20, 6, 0.05, 1));
    const current = buildReport(noisy(20, 6, 0.05, 7));
    const [target] = current.targets;
    if (!target) throw new Error('no target');
    target.requests = 0;
    target.errors = { status: 0, network: 0, timeout: 600 };
    for (const repetition of target.repetitions) repetition.requests = 0;

    const result = compareReports(base, current);
    expect(result.targets[0]?.metrics.every((m) => m.skipped !== null)).toBe(true);
    expect(result.verdict).toBe('regression');
  });

  it('does not fail on a significant but tiny shift below the minimum effect', () => {
    const result = compareReports(
      buildReport([20, 20.01, 20.02, 20.03, 20.04, 20.05]),
      buildReport([20.3, 20.31, 20.32, 20.33, 20.34, 20.35]),
    );
    expect(result.targets[0]?.metrics[0]?.pValue).toBeLessThan(0.002);
    expect(result.verdict).toBe('pass');
  });

  it('reports an improvement without failing', () => {
    const result = compareReports(buildReport(noisy(30, 6, 0.05)), buildReport(noisy(20, 6, 0.05)));
    expect(result.verdict).toBe('pass');
    expect(result.targets[0]?.metrics.some((m) => m.improvement)).toBe(true);
  });

  it('answers inconclusive when the repetitions are too few to ever reach alpha', () => {
    const result = compareReports(buildReport([20, 20, 20]), buildReport([40, 40, 40]));
    expect(result.verdict).toBe('inconclusive');
    expect(result.reasons.some((r) => r.includes('cannot reach'))).toBe(true);
  });

  it('does not gate p99 on repetitions too short to estimate it, and says so', () => {
    // 100 requests per repetition: enough for p50, not for p99 (1,000 needed).
    const result = compareReports(buildReport(noisy(20, 6, 0.05)), buildReport(noisy(20, 6, 0.05, 9)));
    const p99 = result.targets[0]?.metrics.find((m) => m.metric === 'p99');
    expect(p99?.skipped).toContain('1000 needed');
    expect(p99?.regression).toBe(false);
    expect(result.reasons).toContain(
      'overview p99 not gated: 100 requests in a repetition, 1000 needed to estimate it',
    );
  });

  it('gates p90 on repetitions of exactly 100 requests, the documented minimum', () => {
    // 10 / (1 - 0.9) is 100.00000000000003 in floating point: a plain ceil asked for 101.
    const result = compareReports(buildReport(noisy(20, 6, 0.05)), buildReport(noisy(20, 6, 0.05, 9)), {
      metrics: ['p90'],
    });
    expect(result.targets[0]?.metrics[0]?.skipped).toBeNull();
    expect(result.reasons.some((r) => r.includes('not gated'))).toBe(false);
  });

  it('refuses to compare runs with different configurations', () => {
    expect(() =>
      compareReports(buildReport(noisy(20, 6, 0.05)), buildReport(noisy(20, 6, 0.05), { rate: 200 })),
    ).toThrow(ConfigMismatchError);
    expect(() =>
      compareReports(buildReport(noisy(20, 6, 0.05)), buildReport(noisy(20, 6, 0.05), { name: 'agents' })),
    ).toThrow(/targets: overview vs agents/);
  });
});

describe('perf-cli compare', () => {
  const dir = mkdtempSync(join(tmpdir(), 'perf-cli-compare-'));
  let server: LatencyServer;
  beforeAll(async () => {
    server = await startLatencyServer({ latencyMs: 20 });
  });
  afterAll(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /**
   * Saves a conclusive load test of the server. The closed model: on a busy
   * machine the open model's 20 sends a repetition (what p50 needs) are
   * late often enough to make most 6-repetition runs inconclusive.
   */
  const loadtest = (file: string) =>
    untilConclusive(async () => {
      const run = memoryIo();
      const args = `loadtest -t thing=${server.url} --model closed -c 4 -d 400ms --warmup 200ms -r 6 --save ${file} --no-progress`;
      const code = await runCli(args.split(' '), run.io);
      expect(code, run.stderr()).not.toBe(2);
      return readReport(file);
    });

  it('exits 0 on an A/A run and 1 on an injected +50% latency against a real server', async () => {
    await loadtest(join(dir, 'base.json'));
    await loadtest(join(dir, 'same.json'));
    server.setLatencyMs(30);
    await loadtest(join(dir, 'slower.json'));
    server.setLatencyMs(20);

    const aa = memoryIo();
    const aaCode = await runCli(
      ['compare', join(dir, 'base.json'), join(dir, 'same.json'), '--metric', 'p50'],
      aa.io,
    );
    expect(aa.stdout()).toContain('verdict: pass');
    expect(aaCode).toBe(0);

    const regressed = memoryIo();
    const code = await runCli(
      ['compare', join(dir, 'base.json'), join(dir, 'slower.json'), '--metric', 'p50', '--json'],
      regressed.io,
    );
    const result = JSON.parse(regressed.stdout());
    expect(result.verdict).toBe('regression');
    expect(code).toBe(1);
    expect(result.targets[0].metrics[0].shift).toBeGreaterThan(0.3);
  }, 60_000);

  it('exits 2 with a message for mismatched configurations and for a file that is not a report', async () => {
    writeReport(join(dir, 'a.json'), buildReport(noisy(20, 6, 0.05)));
    writeReport(join(dir, 'b.json'), buildReport(noisy(20, 6, 0.05), { rate: 300 }));
    const mismatch = memoryIo();
    expect(await runCli(['compare', join(dir, 'a.json'), join(dir, 'b.json')], mismatch.io)).toBe(2);
    expect(mismatch.stderr()).toContain(
      'refusing to compare runs with different configurations: rate: 100 vs 300',
    );
    const notReport = memoryIo();
    expect(await runCli(['compare', join(dir, 'a.json'), join(dir, 'missing.json')], notReport.io)).toBe(2);
    expect(notReport.stderr()).toContain('cannot read');
  });
});
