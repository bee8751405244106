import { InvalidInputError } from './errors.js';

/** A duration: milliseconds as a number, or a string such as `'250ms'`, `'10s'`, `'5m'`, `'1h'`. */
export type Duration = number | string;

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/**
 * Milliseconds of `value`; throws with the option's name when it is not a duration.
 *
 * @example
 * toMs('1.5s', 'attemptTimeout'); // 1500
 */
export function toMs(value: Duration, name: string): number {
  if (typeof value === 'number') {
    if (value >= 0 && value !== Number.POSITIVE_INFINITY) return value;
  } else if (typeof value === 'string') {
    const match = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h)$/.exec(value.trim());
    if (match) return Number(match[1]) * (UNIT_MS[match[2] as string] as number);
  }
  throw new InvalidInputError(
    'PERFKIT_EXT_INVALID_OPTIONS',
    `${name} must be a finite number of ms >= 0 or a string like '10s', got ${JSON.stringify(value)}`,
  );
}
