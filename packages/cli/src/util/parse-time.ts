import { InvalidOptionError } from '../errors.js';

// ISO 8601 with its zone: date, hours and minutes, optional seconds and fraction.
const ISO_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})$/i;

/**
 * Parses a moment given as ISO 8601 with its time zone
 * (`2026-11-01T15:00:00Z`, `…+01:00`) or as Unix seconds (`date +%s`).
 * A date the calendar does not have (`2026-11-31`, month 13, 24:00) is
 * refused: JavaScript's Date would roll it over into another day.
 *
 * @example
 * parseTime('2026-11-01T15:00:00Z', '--start-at') // Date
 * parseTime('2026-11-31T12:00:00Z', '--start-at') // throws: November has 30 days
 */
export function parseTime(value: string, option: string): Date {
  const text = value.trim();
  const iso = ISO_TIME.exec(text);
  if (iso && !isCalendarTime(iso.slice(1, 7).map((field) => Number(field ?? 0)))) {
    throw new InvalidOptionError(
      option,
      `must be a date and time the calendar has (no month 13, no 31 November, no 24:00), got "${value}"`,
    );
  }
  const date = iso ? new Date(text) : /^\d+(\.\d+)?$/.test(text) ? new Date(Number(text) * 1000) : null;
  if (!date || Number.isNaN(date.getTime())) {
    throw new InvalidOptionError(
      option,
      `must be an ISO 8601 time with its zone (2026-11-01T15:00:00Z) or Unix seconds, got "${value}"`,
    );
  }
  return date;
}

/** Whether year, month, day, hours, minutes and seconds name a moment without rolling any over. */
function isCalendarTime(fields: number[]): boolean {
  const [year = 0, month = 0, day, hours, minutes, seconds] = fields;
  const moment = new Date(Date.UTC(year, month - 1, day, hours, minutes, seconds));
  return (
    moment.getUTCFullYear() === year &&
    moment.getUTCMonth() === month - 1 &&
    moment.getUTCDate() === day &&
    moment.getUTCHours() === hours &&
    moment.getUTCMinutes() === minutes &&
    moment.getUTCSeconds() === seconds
  );
}
