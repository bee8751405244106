import { InvalidOptionError } from '../errors.js';

/** What a numeric option accepts: `min`/`max` inclusive, `above`/`below` exclusive; `unit` is shown after the bounds and the value. */
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
 * Checks a numeric option, or throws an {@link InvalidOptionError} naming
 * it and what it accepts. `given` is what the message shows (the text a
 * flag held, when it was parsed from one).
 *
 * @example
 * checkNumber(options.rate, 'rate', { above: 0 }) // throws "rate must be a number > 0, got 0" for 0
 * checkNumber(options.warmupMs, 'warmupMs', { min: 0, unit: 'ms' }) // "warmupMs must be >= 0 ms, got -1 ms"
 */
export function checkNumber(
  value: number,
  option: string,
  bounds: NumberBounds,
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
  throw new InvalidOptionError(option, `must be ${describeBounds(bounds)}, got ${shown}`);
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
  return checkNumber(text.trim() === '' ? Number.NaN : Number(text), option, bounds, text);
}
