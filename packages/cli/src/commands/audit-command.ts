import { parseDuration } from '@perfkit/primitives';
import { Command, Option } from 'commander';
import { readQueryFile } from '../audit/query-source.js';
import { SEVERITIES, type Severity } from '../audit/report-schema.js';
import { auditFails, runAudit } from '../audit/run-audit.js';
import { EXIT_CODES, InvalidOptionError } from '../errors.js';
import { formatAuditTable } from '../format/audit-format.js';
import type { CliIo } from '../io.js';
import { parseNumber } from '../util/option-checks.js';
import { databaseUrlOf, databaseUrlOption } from './database-url-flag.js';
import { withFlagNames } from './flag-names.js';

/** The flag of each audit option, for messages. */
const AUDIT_FLAGS = {
  schema: '--schema',
  statementTimeoutMs: '--statement-timeout',
  'planChecks.largeTableRows': '--large-table-rows',
} as const;

/**
 * `perf-cli audit`: EXPLAIN audits of the query catalog (or a file of
 * queries) plus schema checks. Exit 1 when a finding reaches `--fail-on`.
 *
 * @example
 * DATABASE_URL=postgresql://postgres@127.0.0.1:5432/app perf-cli audit --fail-on high --json
 */
export function auditCommand(io: CliIo): Command {
  return new Command('audit')
    .description(
      'EXPLAIN (ANALYZE, BUFFERS) every catalog query in a rolled-back transaction; report plan and schema findings and index suggestions',
    )
    .addOption(databaseUrlOption())
    .option(
      '--schema <name>',
      "schema to check and run the queries in, first on the search_path (default: the connection's current schema)",
    )
    .option(
      '--queries <file>',
      'audit these queries (.json [{ name, sql, parameters }] or .sql with "-- name:" lines) instead of the catalog',
    )
    .addOption(
      new Option('--statement-timeout <duration>', 'cancel each EXPLAIN ANALYZE after this long').default(
        '30s',
      ),
    )
    .addOption(
      new Option('--large-table-rows <n>', 'a table this large must not be scanned sequentially').default(
        '10000',
      ),
    )
    .addOption(
      new Option('--fail-on <severity>', 'exit 1 when a finding is at least this severe')
        .choices([...SEVERITIES, 'none'])
        .default('none')
        .env('PERFKIT_FAIL_ON'),
    )
    .option('--json', 'print the report as JSON')
    .action(
      withFlagNames(AUDIT_FLAGS, async (opts, command: Command) => {
        const url = databaseUrlOf(command);
        const report = await runAudit({
          ...(url === undefined ? {} : { connectionString: url }),
          ...(opts.schema === undefined ? {} : { schema: opts.schema }),
          ...(opts.queries ? { queries: readQueryFile(opts.queries) } : {}),
          statementTimeoutMs: parseDuration(
            opts.statementTimeout,
            AUDIT_FLAGS.statementTimeoutMs,
            InvalidOptionError,
          ),
          planChecks: {
            largeTableRows: parseNumber(opts.largeTableRows, AUDIT_FLAGS['planChecks.largeTableRows']),
          },
        });
        io.stdout.write(opts.json ? `${JSON.stringify(report, null, 2)}\n` : formatAuditTable(report));
        io.exitCode = auditFails(report, opts.failOn as Severity | 'none')
          ? EXIT_CODES.gateFailed
          : EXIT_CODES.ok;
      }),
    );
}
