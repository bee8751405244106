import {
  checkNumber as checkAnyNumber,
  type NumberBounds,
  parseNumber as parseAnyNumber,
} from '@perfkit/primitives';
import { InvalidOptionError } from '../errors.js';

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
