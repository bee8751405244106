import { InvalidOptionError } from '../errors.js';

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/**
 * Parses a duration given as milliseconds (`1500`) or with a unit
 * (`'500ms'`, `'2s'`, `'1.5m'`) into milliseconds.
 *
 * @example
 * parseDuration('2s', '--duration') // 2000
 */
export function parseDuration(value: string | number, option: string): number {
  if (typeof value === 'number') {
    if (Number.isFinite(value) && value >= 0) return value;
    throw new InvalidOptionError(option, `must be a non-negative duration, got ${value}`);
  }
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/.exec(value);
  if (!match) {
    throw new InvalidOptionError(option, `must be a duration like 500ms, 2s or 1m, got "${value}"`);
  }
  return Number(match[1]) * (UNITS[match[2] ?? 'ms'] ?? 1);
}

/**
 * Parses a moment given as ISO 8601 with its time zone
 * (`2026-11-01T15:00:00Z`, `…+01:00`) or as Unix seconds (`date +%s`).
 *
 * @example
 * parseTime('2026-11-01T15:00:00Z', '--start-at') // Date
 */
export function parseTime(value: string, option: string): Date {
  const text = value.trim();
  const iso = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/i.test(text);
  const date = iso ? new Date(text) : /^\d+(\.\d+)?$/.test(text) ? new Date(Number(text) * 1000) : null;
  if (!date || Number.isNaN(date.getTime())) {
    throw new InvalidOptionError(
      option,
      `must be an ISO 8601 time with its zone (2026-11-01T15:00:00Z) or Unix seconds, got "${value}"`,
    );
  }
  return date;
}
