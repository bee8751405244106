import { writeFileSync } from 'node:fs';
import { PerfCliError } from '../errors.js';
import { readTextFile } from '../util/files.js';
import type { LoadtestReport } from './run-loadtest.js';

/**
 * Writes a load-test report (a baseline) as JSON.
 *
 * @example
 * writeReport('baseline.json', await runLoadtest(options));
 */
export function writeReport(path: string, report: LoadtestReport): void {
  try {
    writeFileSync(path, `${JSON.stringify(report, null, 2)}\n`);
  } catch (error) {
    throw new PerfCliError(
      'PERFKIT_CLI_FILE_UNREADABLE',
      `cannot write ${path}: ${(error as Error).message}`,
      { cause: error },
    );
  }
}

/**
 * Reads a report written by `loadtest --save` (or `--json`), checking its
 * format so a wrong file fails with a message instead of a crash later.
 *
 * @example
 * const base = readReport('baseline.json');
 */
export function readReport(path: string): LoadtestReport {
  const text = readTextFile(path);
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new PerfCliError('PERFKIT_CLI_INVALID_REPORT', `${path} is not JSON: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const report = data as Partial<LoadtestReport>;
  if (
    report?.format !== 'perfkit-loadtest' ||
    report.version !== 1 ||
    !Array.isArray(report.targets) ||
    !report.config
  ) {
    throw new PerfCliError(
      'PERFKIT_CLI_INVALID_REPORT',
      `${path} is not a perf-cli load-test report (expected "format": "perfkit-loadtest", "version": 1); make one with perf-cli loadtest --save`,
    );
  }
  return withDefaults(report as LoadtestReport);
}

/** Fills the fields that reports made by earlier versions lack, with what those versions did. */
function withDefaults(report: LoadtestReport): LoadtestReport {
  return {
    ...report,
    config: {
      ...report.config,
      workers: report.config.workers ?? 1,
      shard: report.config.shard ?? null,
      startAt: report.config.startAt ?? null,
    },
    targets: report.targets.map((t) => ({
      ...t,
      repetitions: t.repetitions.map((r) => ({
        ...r,
        sendLagHistogram: r.sendLagHistogram ?? null,
        generator: r.generator ?? null,
      })),
    })),
    parts: report.parts ?? null,
  };
}
