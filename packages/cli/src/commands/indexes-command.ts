import { InvalidOptionError as PerfkitInvalidOptionError, parseDuration } from '@perfkit/primitives';
import { DEFAULT_DATABASE_URL, IndexesBusyError } from '@perfkit/queries';
import { applyIndexes, declaredIndexes, indexStatus, planIndexes } from '@perfkit/queries/admin';
import { Command, Option } from 'commander';
import { EXIT_CODES, InvalidOptionError, isCliError, PerfCliError } from '../errors.js';
import { formatIndexPlan, formatIndexResults, formatIndexStatus } from '../format/indexes-format.js';
import type { CliIo } from '../io.js';
import { databaseFailure } from '../util/database-url.js';
import { checkNumber, POSTGRES_MAX_TIMEOUT_MS } from '../util/option-checks.js';
import { checkSchemaName } from '../util/schema-name.js';
import { databaseUrlOf, databaseUrlOption } from './database-url-flag.js';
import { requireIndexTables } from './index-tables.js';
import { collect } from './load-options.js';

/**
 * Runs an engine call, turning what the engine throws into the CLI's errors: a refused option,
 * another process holding the index lock, a connection failure. Anything else is a bug and
 * reaches the CLI as one.
 */
async function withDatabase<T>(url: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (isCliError(error)) throw error;
    if (error instanceof PerfkitInvalidOptionError) {
      throw new InvalidOptionError(error.option, error.problem, { cause: error });
    }
    if (error instanceof IndexesBusyError) {
      throw new PerfCliError('PERFKIT_CLI_INDEXES_BUSY', `${error.message}: try again when it has finished`, {
        cause: error,
      });
    }
    throw databaseFailure(url, error) ?? error;
  }
}

const common = (command: Command) =>
  command
    .addOption(databaseUrlOption())
    .option('--schema <name>', "schema to work in (default: the connection's)")
    .addOption(new Option('--only <name>', 'only this index (repeatable)').argParser(collect))
    .option('--json', 'print JSON');

/** The `--only` names, each a declared index — checked before anything connects, or `--offline` plans. */
function checkIndexNames(names: string[]): string[] {
  const declared = declaredIndexes.map((i) => i.name);
  const unknown = names.find((name) => !declared.includes(name));
  if (unknown === undefined) return names;
  throw new InvalidOptionError('--only', `must each be one of ${declared.join(', ')}, got "${unknown}"`);
}

/**
 * A `statement_timeout` or `lock_timeout` flag in ms (0: none), refused
 * beyond what PostgreSQL accepts before anything connects.
 */
const timeoutSetting = (text: string, flag: string) =>
  checkNumber(parseDuration(text, flag, InvalidOptionError), flag, {
    min: 0,
    max: POSTGRES_MAX_TIMEOUT_MS,
    unit: 'ms',
  });

/** The indexes and schema a subcommand works on, both checked before anything connects. */
const selection = (opts: { schema?: string; only?: string[] }) => ({
  ...(opts.schema === undefined ? {} : { schema: checkSchemaName(opts.schema, '--schema') }),
  ...(opts.only ? { only: checkIndexNames(opts.only) } : {}),
});
type Selection = ReturnType<typeof selection>;

/**
 * `perf-cli indexes plan | apply | status`: a thin layer over the
 * `@perfkit/queries` index engine (CONCURRENTLY, lock-timeout retries,
 * INVALID leftovers rebuilt, ANALYZE after). `apply` exits 1 when an index
 * failed.
 *
 * @example
 * perf-cli indexes plan --database-url postgresql://postgres@127.0.0.1:5432/app
 * perf-cli indexes apply --lock-timeout 5s
 */
export function indexesCommand(io: CliIo): Command {
  // Each subcommand that connects: a bad URL refused first, then a database without the tables.
  const connected = async <T>(command: Command, chosen: Selection, run: (url: string) => Promise<T>) => {
    const target = databaseUrlOf(command) ?? DEFAULT_DATABASE_URL;
    return withDatabase(target, async () => {
      await requireIndexTables(target, chosen);
      return run(target);
    });
  };
  const print = (json: boolean | undefined, data: unknown, table: string) =>
    io.stdout.write(json ? `${JSON.stringify(data, null, 2)}\n` : table);
  const indexes = new Command('indexes').description(
    'plan, apply and inspect the performance indexes (built CONCURRENTLY)',
  );
  indexes.addCommand(
    common(
      new Command('plan').description("print the SQL apply would run (from the database's current state)"),
    )
      .option('--offline', 'plan as if no index existed, without connecting')
      .action(async (opts, command: Command) => {
        const chosen = selection(opts);
        const steps = opts.offline
          ? await planIndexes(undefined, chosen)
          : await connected(command, chosen, (target) => planIndexes(target, chosen));
        print(opts.json, steps, formatIndexPlan(steps));
      }),
  );
  indexes.addCommand(
    common(new Command('apply').description('build missing indexes, rebuild INVALID ones, then ANALYZE'))
      .addOption(new Option('--lock-timeout <duration>', 'lock_timeout of each statement').default('5s'))
      .addOption(
        new Option('--statement-timeout <duration>', 'statement_timeout of each build').default('30m'),
      )
      .action(async (opts, command: Command) => {
        const chosen = selection(opts);
        const options = {
          ...chosen,
          lockTimeoutMs: timeoutSetting(opts.lockTimeout, '--lock-timeout'),
          statementTimeoutMs: timeoutSetting(opts.statementTimeout, '--statement-timeout'),
        };
        const results = await connected(command, chosen, (target) => applyIndexes(target, options));
        print(opts.json, results, formatIndexResults(results));
        io.exitCode = results.some((r) => r.status === 'failed') ? EXIT_CODES.gateFailed : EXIT_CODES.ok;
      }),
  );
  indexes.addCommand(
    common(
      new Command('status').description('show whether each index exists, is valid, and its size'),
    ).action(async (opts, command: Command) => {
      const chosen = selection(opts);
      const states = await connected(command, chosen, (target) => indexStatus(target, chosen));
      print(opts.json, states, formatIndexStatus(states));
    }),
  );
  return indexes;
}
