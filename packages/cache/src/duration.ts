import { CacheOptionsError } from './errors.js';

/**
 * A duration: milliseconds as a number, or a string such as `'250ms'`, `'30s'`, `'5m'`, `'1h'`, `'1d'`.
 *
 * @example
 * const ttl: Duration = '30s';
 */
export type Duration = number | `${number}${DurationUnit}`;

type DurationUnit = 'ms' | 's' | 'm' | 'h' | 'd';

const UNIT_MS: Record<DurationUnit, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const DURATION_PATTERN = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)$/;

/**
 * Converts a duration to milliseconds, rejecting negative, non-finite or unparseable input.
 *
 * @example
 * parseDuration('30s', 'ttl'); // 30000
 */
export function parseDuration(value: Duration, option: string): number {
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || value < 0) {
      throw new CacheOptionsError(option, `expected a non-negative number of ms, got ${value}`);
    }
    return value;
  }
  const match = typeof value === 'string' ? DURATION_PATTERN.exec(value.trim()) : null;
  if (!match) {
    throw new CacheOptionsError(option, `expected ms or a string like '30s', got ${JSON.stringify(value)}`);
  }
  return Number(match[1]) * UNIT_MS[match[2] as DurationUnit];
}
