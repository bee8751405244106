import { InvalidOptionError } from '../errors.js';

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
