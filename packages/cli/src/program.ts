import { Command, CommanderError } from 'commander';
import { auditCommand } from './commands/audit-command.js';
import { calibrateCommand } from './commands/calibrate-command.js';
import { compareCommand } from './commands/compare-command.js';
import { indexesCommand } from './commands/indexes-command.js';
import { loadtestCommand } from './commands/loadtest-command.js';
import { mergeCommand } from './commands/merge-command.js';
import { reportCommand } from './commands/report-command.js';
import { EXIT_CODES, InvalidOptionError, isCliError } from './errors.js';
import { type CliIo, processIo } from './io.js';

/**
 * Builds the `perf-cli` program. Tests drive it with `exitOverride()`;
 * {@link runCli} wraps it with the CLI's error handling.
 *
 * @example
 * const program = createProgram(io).exitOverride();
 * await program.parseAsync(['loadtest', '--target', url], { from: 'user' });
 */
export function createProgram(io: CliIo = processIo()): Command {
  const output = (command: Command): Command => {
    command.configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) });
    for (const sub of command.commands) output(sub);
    return command;
  };
  const program = new Command('perf-cli')
    .description(
      'EXPLAIN audits, safe index builds, load tests against saved baselines, and a CI regression gate',
    )
    .version('0.1.0')
    .showHelpAfterError('(run with --help for usage)');
  output(program);
  for (const command of [
    auditCommand(io),
    indexesCommand(io),
    loadtestCommand(io),
    mergeCommand(io),
    compareCommand(io),
    reportCommand(io),
    calibrateCommand(io),
  ]) {
    program.addCommand(output(command));
  }
  return program;
}

/**
 * Runs `perf-cli` with the given arguments and returns its exit code: bad
 * input prints one clear message (no stack trace) and returns 2.
 *
 * @example
 * process.exitCode = await runCli(process.argv.slice(2));
 */
export async function runCli(args: string[], io: CliIo = processIo()): Promise<number> {
  const program = createProgram(io).exitOverride();
  const override = (command: Command) => {
    command.exitOverride();
    for (const sub of command.commands) override(sub);
  };
  override(program);
  // `pnpm run perf-cli -- audit --json` hands the `--` on; commander would read
  // everything after it as operands. perf-cli takes no operands before its
  // command, so a leading `--` carries no meaning and is dropped.
  const userArgs = args[0] === '--' ? args.slice(1) : args;
  let acting: Command | undefined;
  program.hook('preAction', (_program, actionCommand) => {
    acting = actionCommand;
  });
  try {
    await program.parseAsync(userArgs, { from: 'user' });
    return io.exitCode;
  } catch (thrown) {
    const error = thrown instanceof InvalidOptionError ? namedBySource(thrown, acting) : thrown;
    // Help asked for (--help, --version) exits 0; help shown because a
    // subcommand is missing (`perf-cli indexes`) is a usage error, as in git
    // and npm, and commander gives it a non-zero code like its other ones.
    if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT_CODES.ok : EXIT_CODES.usage;
    if (isCliError(error)) {
      io.stderr.write(`perf-cli: ${error.message}\n`);
      return error.exitCode;
    }
    // Anything else is a bug of perf-cli's, and says so: every error the user can fix is a CLI error.
    io.stderr.write(`perf-cli: unexpected error: ${(error as Error)?.message ?? String(error)}\n`);
    return EXIT_CODES.usage;
  }
}

/**
 * The error naming the option the way the user gave it: a value read from
 * the environment by its variable first (`PERFKIT_RATE (--rate) must be a
 * number, got "abc"`), since the user may never have typed the flag.
 * Commands name flags (`--rate`, `-r/--repetitions`); commander knows where
 * each value came from.
 */
function namedBySource(error: InvalidOptionError, command: Command | undefined): InvalidOptionError {
  const option = command?.options.find(
    (o) => error.option === o.long || error.option === `${o.short}/${o.long}`,
  );
  if (!option?.envVar || command?.getOptionValueSource(option.attributeName()) !== 'env') return error;
  return error.renamed(`${option.envVar} (${error.option})`);
}
