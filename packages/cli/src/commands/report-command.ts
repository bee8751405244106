import { writeFileSync } from 'node:fs';
import { Command } from 'commander';
import { compareReports } from '../compare/compare-reports.js';
import { PerfCliError } from '../errors.js';
import { formatCompareTable } from '../format/compare-format.js';
import { formatLoadtestTable } from '../format/loadtest-format.js';
import type { CliIo } from '../io.js';
import { readReport } from '../loadtest/report-file.js';
import { renderHtmlReport } from '../report/html-report.js';
import { withFlagNames } from './flag-names.js';
import { addGateOptions, GATE_FLAGS, gateOptionsFrom } from './gate-options.js';

/**
 * `perf-cli report CURRENT [--baseline BASE] --html [FILE]`: a
 * self-contained HTML page (or the tables, without `--html`).
 *
 * @example
 * perf-cli report current.json --baseline baseline.json --html report.html
 */
export function reportCommand(io: CliIo): Command {
  return addGateOptions(
    new Command('report')
      .description('render a load-test report (and its baseline) as tables or one self-contained HTML page')
      .argument('<current>', 'report to render (loadtest --save)')
      .option('-b, --baseline <file>', 'baseline report to overlay and compare with')
      .option('--html [file]', 'write HTML (to FILE, or stdout)'),
  ).action(
    // The gate's options as compare takes them, so the verdict shown is the one compare gives.
    withFlagNames(GATE_FLAGS, (currentPath: string, opts) => {
      const current = readReport(currentPath);
      const baseline = opts.baseline ? readReport(opts.baseline) : undefined;
      const gate = gateOptionsFrom(opts);
      if (opts.html !== undefined) {
        const html = renderHtmlReport(current, baseline, gate);
        if (typeof opts.html === 'string') {
          try {
            writeFileSync(opts.html, html);
          } catch (error) {
            throw new PerfCliError(
              'PERFKIT_CLI_FILE_UNWRITABLE',
              `cannot write ${opts.html}: ${(error as Error).message}`,
            );
          }
          io.stderr.write(`wrote ${opts.html}\n`);
        } else io.stdout.write(html);
        return;
      }
      io.stdout.write(
        baseline ? formatCompareTable(compareReports(baseline, current, gate)) : formatLoadtestTable(current),
      );
    }),
  );
}
