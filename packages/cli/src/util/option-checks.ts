import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import {
  checkNumber as checkAnyNumber,
  type NumberBounds,
  parseNumber as parseAnyNumber,
} from '@perfkit/primitives';
import { InvalidOptionError, PerfCliError } from '../errors.js';

export type { NumberBounds };

/**
 * `checkNumber` of `@perfkit/primitives` with the CLI's {@link InvalidOptionError}:
 * the value, or an error naming the option and what it accepts. `given` is
 * what the message shows (the text a flag held, when it was parsed from one).
 *
 * @example
 * checkNumber(options.rate, 'rate', { above: 0 }) // throws "rate must be a number > 0, got 0" for 0
 * checkNumber(options.warmupMs, 'warmupMs', { min: 0, unit: 'ms' }) // "warmupMs must be >= 0 ms, got -1 ms"
 */
export function checkNumber(value: number, option: string, bounds: NumberBounds, given?: unknown): number {
  return checkAnyNumber(value, option, bounds, InvalidOptionError, given);
}

/**
 * Parses a number given as text (a flag's value) and checks it like
 * {@link checkNumber}.
 *
 * @example
 * parseNumber('200', '--rate', { above: 0 }) // 200
 * parseNumber('fast', '--rate', { above: 0 }) // throws '--rate must be a number > 0, got "fast"'
 */
export function parseNumber(text: string, option: string, bounds: NumberBounds = {}): number {
  return parseAnyNumber(text, option, bounds, InvalidOptionError);
}

// PostgreSQL's own bound on a timeout setting: past it, every statement that sets one fails in
// PostgreSQL's words, naming neither flag nor value.
export { POSTGRES_MAX_TIMEOUT_MS } from '@perfkit/queries';

/**
 * Refuses a file a command could not write — its directory missing or not
 * writable, or a directory in its place — before the command spends a run
 * on results it would then lose.
 *
 * @example
 * checkWritableFile('/nonexistent/dir/x.json') // throws "cannot write /nonexistent/dir/x.json: no directory /nonexistent/dir"
 */
export function checkWritableFile(path: string): string {
  const problem = unwritable(path);
  if (problem === undefined) return path;
  throw new PerfCliError('PERFKIT_CLI_FILE_UNWRITABLE', `cannot write ${path}: ${problem}`);
}

function unwritable(path: string): string | undefined {
  if (existsSync(path)) {
    if (statSync(path).isDirectory()) return 'it is a directory';
    return canWrite(path) ? undefined : 'the file is not writable';
  }
  const directory = dirname(resolve(path));
  if (!existsSync(directory) || !statSync(directory).isDirectory()) return `no directory ${directory}`;
  return canWrite(directory) ? undefined : `the directory ${directory} is not writable`;
}

function canWrite(path: string): boolean {
  try {
    accessSync(path, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}
