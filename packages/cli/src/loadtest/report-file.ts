import { writeFileSync } from 'node:fs';
import type { z } from 'zod';
import { InvalidReportError, PerfCliError } from '../errors.js';
import { readTextFile } from '../util/files.js';
import { type LoadtestReport, loadtestReportSchema } from './report-schema.js';

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

/** Issues shown in a message; the error's `problems` keeps them all. */
const SHOWN_PROBLEMS = 3;

/** `targets[0].repetitions[1].histogram: not an HdrHistogram …` */
const describeIssue = (issue: z.core.$ZodIssue) => {
  const path = issue.path
    .map((key, i) => (typeof key === 'number' ? `[${key}]` : `${i === 0 ? '' : '.'}${String(key)}`))
    .join('');
  return path ? `${path}: ${issue.message}` : issue.message;
};

/**
 * Checks that a value (parsed JSON) is a load-test report written by
 * perf-cli — every field, its histograms decodable — and returns it typed,
 * with the fields that reports made by earlier versions lack filled in as
 * those versions behaved. Anything else throws an
 * {@link InvalidReportError} naming `source` and each wrong field.
 *
 * @example
 * const base = parseReport(await (await fetch(artifactUrl)).json(), artifactUrl);
 */
export function parseReport(data: unknown, source = 'the report'): LoadtestReport {
  const { format, version } = (data ?? {}) as { format?: unknown; version?: unknown };
  if (format !== 'perfkit-loadtest' || version !== 1) {
    throw new InvalidReportError(
      source,
      'is not a perf-cli load-test report (expected "format": "perfkit-loadtest", "version": 1)',
    );
  }
  const parsed = loadtestReportSchema.safeParse(data);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map(describeIssue);
  const more = problems.length > SHOWN_PROBLEMS ? ` (and ${problems.length - SHOWN_PROBLEMS} more)` : '';
  throw new InvalidReportError(
    source,
    `is a corrupt load-test report: ${problems.slice(0, SHOWN_PROBLEMS).join('; ')}${more}`,
    { problems, cause: parsed.error },
  );
}

/**
 * Reads a report written by `loadtest --save` (or `--json`) and checks it
 * with {@link parseReport}, so a wrong or corrupt file fails here with a
 * message naming it instead of a crash later.
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
    throw new InvalidReportError(path, `is not JSON: ${(error as Error).message}`, { cause: error });
  }
  return parseReport(data, path);
}
