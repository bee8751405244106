import { readFileSync } from 'node:fs';
import { PerfCliError } from '../errors.js';

/**
 * Reads a UTF-8 file, failing with one clear message naming it.
 *
 * @example
 * readTextFile('targets.json')
 */
export function readTextFile(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new PerfCliError(
      'PERFKIT_CLI_FILE_UNREADABLE',
      `cannot read ${path}: ${(error as Error).message}`,
      { cause: error },
    );
  }
}
