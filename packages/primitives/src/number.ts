import type { InvalidOptionErrorClass } from './errors.js';

/**
 * What a numeric option accepts: `min` / `max` inclusive, `above` / `below` exclusive, `integer` for whole
 * numbers; `unit` is shown after the bounds and the value in a message.
 *
 * @example
 * const POSITIVE_INTEGER: NumberBounds = { min: 1, integer: true };
 */
export interface NumberBounds {
  min?: number;
  max?: number;
  above?: number;
  below?: number;
  integer?: boolean;
  unit?: string;
}

function describeBounds({ min, max, above, below, integer, unit }: NumberBounds): string {
  const bounds = [
    min === undefined ? '' : `>= ${min}`,
    above === undefined ? '' : `> ${above}`,
    below === undefined ? '' : `< ${below}`,
    max === undefined ? '' : `<= ${max}`,
  ]
    .filter(Boolean)
    .join(' and ');
  if (unit) return `${bounds || 'a number'} ${unit}`;
  return [integer ? 'an integer' : 'a number', bounds].filter(Boolean).join(' ');
}

/**
 * `value` if it is a finite number within `bounds`, else throws `new InvalidOption(option, problem)` (the
 * package's own invalid-option error) naming what the option accepts. `given` is what the message shows
 * (the text a flag held, when the number was parsed from one).
 *
 * @example
 * checkNumber(options.maxSeries, 'maxSeries', { min: 1, integer: true }, InvalidMonitorOptionsError);
 * // 0 → "monitor: maxSeries must be an integer >= 1, got 0"
 * checkNumber(-1, 'warmupMs', { min: 0, unit: 'ms' }, InvalidOptionError); // "warmupMs must be >= 0 ms, got -1 ms"
 */
export function checkNumber(
  value: number,
  option: string,
  bounds: NumberBounds,
  InvalidOption: InvalidOptionErrorClass,
  given: unknown = value,
): number {
  const { min, max, above, below, integer = false, unit } = bounds;
  const valid =
    typeof value === 'number' &&
    Number.isFinite(value) &&
    (min === undefined || value >= min) &&
    (max === undefined || value <= max) &&
    (above === undefined || value > above) &&
    (below === undefined || value < below) &&
    (!integer || Number.isInteger(value));
  if (valid) return value;
  const shown = typeof given === 'string' ? `"${given}"` : `${given}${unit ? ` ${unit}` : ''}`;
  throw new InvalidOption(option, `must be ${describeBounds(bounds)}, got ${shown}`);
}

/**
 * Parses a number given as text (an environment variable, a flag's value) and checks it like
 * {@link checkNumber}; blank text is not a number.
 *
 * @example
 * parseNumber('200', '--rate', { above: 0 }, InvalidOptionError); // 200
 * parseNumber('fast', '--rate', { above: 0 }, InvalidOptionError); // throws '--rate must be a number > 0, got "fast"'
 */
export function parseNumber(
  text: string,
  option: string,
  bounds: NumberBounds,
  InvalidOption: InvalidOptionErrorClass,
): number {
  return checkNumber(text.trim() === '' ? Number.NaN : Number(text), option, bounds, InvalidOption, text);
}
