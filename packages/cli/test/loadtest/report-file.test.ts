import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InvalidReportError, parseReport, readReport, writeReport } from '../../src/index.js';
import { runCli } from '../../src/program.js';
import { memoryIo } from '../helpers/latency-server.js';
import { buildReport, noisy } from '../helpers/report-builder.js';

const dir = mkdtempSync(join(tmpdir(), 'perf-cli-report-file-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A saved report as plain JSON (untyped, so that a test can break any field). */
const json = () => JSON.parse(JSON.stringify(buildReport(noisy(20, 6, 0.05))));
const save = (name: string, data: unknown) => {
  const path = join(dir, name);
  writeFileSync(path, typeof data === 'string' ? data : JSON.stringify(data));
  return path;
};
const thrown = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
};

describe('readReport', () => {
  it('reads back what writeReport wrote', () => {
    const report = buildReport(noisy(20, 6, 0.05));
    const path = join(dir, 'round-trip.json');
    writeReport(path, report);
    expect(readReport(path)).toEqual(report);
  });

  it('fills the fields reports of earlier versions lack with what those versions did', () => {
    const old = json();
    for (const key of ['workers', 'shard', 'startAt']) delete old.config[key];
    for (const repetition of old.targets[0].repetitions) {
      delete repetition.generator;
      delete repetition.sendLagHistogram;
    }
    delete old.parts;
    const report = readReport(save('old.json', old));
    expect(report.config).toMatchObject({ workers: 1, shard: null, startAt: null });
    expect(report.targets[0]?.repetitions[0]).toMatchObject({ generator: null, sendLagHistogram: null });
    expect(report.parts).toBeNull();
  });

  it('refuses a corrupt report with an InvalidReportError naming each wrong field', () => {
    const corrupt = json();
    corrupt.config.rate = 'fast';
    corrupt.targets[0].repetitions[1].histogram = 'AAAA';
    delete corrupt.targets[0].repetitions[2].latency;
    const path = save('corrupt.json', corrupt);
    const error = thrown(() => readReport(path));
    expect(error).toBeInstanceOf(InvalidReportError);
    expect(error).toMatchObject({ code: 'PERFKIT_CLI_INVALID_REPORT', source: path });
    expect((error as InvalidReportError).problems).toEqual([
      'config.rate: Invalid input: expected number, received string',
      'targets[0].repetitions[1].histogram: not an HdrHistogram in compressed base64 form',
      'targets[0].repetitions[2].latency: Invalid input: expected object, received undefined',
    ]);
    expect((error as Error).message).toBe(
      `${path} is a corrupt load-test report: ${(error as InvalidReportError).problems.join('; ')}`,
    );
  });

  it('refuses a negative latency, which would pass any gate', () => {
    const edited = json();
    edited.targets[0].repetitions[0].latency.p50 = -1;
    const error = thrown(() => readReport(save('negative.json', edited)));
    expect((error as InvalidReportError).problems).toEqual([
      'targets[0].repetitions[0].latency.p50: Too small: expected number to be >=0',
    ]);
  });

  it('refuses targets that are not the ones the report was configured with', () => {
    const mixed = json();
    mixed.targets[0].name = 'agents';
    expect(() => parseReport(mixed, 'mixed')).toThrow(
      'mixed is a corrupt load-test report: targets: the targets measured are not the targets configured',
    );
  });

  it('refuses a file that is not a load-test report, and one that is not JSON', () => {
    expect(() => readReport(save('audit.json', { format: 'perfkit-audit', version: 1 }))).toThrow(
      /audit\.json is not a perf-cli load-test report \(expected "format": "perfkit-loadtest", "version": 1\)$/,
    );
    expect(() => parseReport([1, 2], 'an array')).toThrow(InvalidReportError);
    expect(() => readReport(save('text.json', 'p99: 20 ms'))).toThrow(/text\.json is not JSON: /);
  });
});

describe('perf-cli given a corrupt report', () => {
  it('exits 2 with one line naming the file and the field, in compare, merge and report alike', async () => {
    const base = save('base.json', json());
    const corrupt = json();
    corrupt.targets[0].repetitions[0].histogram = 'AAAA';
    const current = save('current.json', corrupt);
    for (const args of [
      ['compare', base, current],
      ['merge', current],
      ['report', current, '--html'],
    ]) {
      const run = memoryIo();
      expect(await runCli(args, run.io), args[0]).toBe(2);
      expect(run.stderr()).toBe(
        `perf-cli: ${current} is a corrupt load-test report: targets[0].repetitions[0].histogram: not an HdrHistogram in compressed base64 form\n`,
      );
    }
  });
});
