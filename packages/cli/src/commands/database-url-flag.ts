import { type Command, Option } from 'commander';
import { checkDatabaseUrl } from '../util/database-url.js';

/**
 * `--database-url`, read from `DATABASE_URL` when the flag is not given.
 *
 * @example
 * new Command('audit').addOption(databaseUrlOption())
 */
export const databaseUrlOption = () =>
  new Option('--database-url <url>', 'PostgreSQL URL').env('DATABASE_URL');

/**
 * The database URL a command was given (undefined when none), checked before
 * anything connects. A bad one is blamed on where it came from: the flag, or
 * `DATABASE_URL` — the user may never have typed `--database-url`.
 *
 * @example
 * databaseUrlOf(command) // DATABASE_URL=mysql://x@h/x throws "DATABASE_URL must be a PostgreSQL URL: …"
 */
export function databaseUrlOf(command: Command): string | undefined {
  const url: string | undefined = command.opts().databaseUrl;
  if (url === undefined) return undefined;
  return checkDatabaseUrl(
    url,
    command.getOptionValueSource('databaseUrl') === 'env' ? 'DATABASE_URL' : '--database-url',
  );
}
