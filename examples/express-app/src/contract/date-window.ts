import type { Bucket, Range } from './query-params.js';

const DAY_MS = 86_400_000;

/** The UTC days a `range` covers, ending with the (partial) day of `now`. */
export interface DateWindow {
  /** Start of the first day, inclusive. */
  start: Date;
  /** Start of the day after `now`'s day, exclusive. */
  end: Date;
  /** First day, `YYYY-MM-DD`. */
  fromDay: string;
  /** Last day (the day of `now`), `YYYY-MM-DD`. */
  toDay: string;
}

/** `YYYY-MM-DD` of a timestamp, in UTC. */
export function utcDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/** The number of days of a range: `'30d'` → 30. */
export function rangeDays(range: Range): number {
  return Number.parseInt(range, 10);
}

/**
 * The window of `range` at `now`: N whole UTC days, the last one being today.
 *
 * @example
 * dateWindow('7d', new Date('2026-11-01T15:00:00Z'));
 * // { fromDay: '2026-10-26', toDay: '2026-11-01', start: 2026-10-26T00:00Z, end: 2026-11-02T00:00Z }
 */
export function dateWindow(range: Range, now: Date): DateWindow {
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const start = new Date(today - (rangeDays(range) - 1) * DAY_MS);
  return { start, end: new Date(today + DAY_MS), fromDay: utcDay(start), toDay: utcDay(new Date(today)) };
}

/**
 * The start (`YYYY-MM-DD`) of the bucket holding `day`: the day itself, or
 * the Monday of its ISO week.
 *
 * @example
 * bucketStart('2026-11-01', 'week'); // '2026-10-26' (a Monday)
 */
export function bucketStart(day: string, bucket: Bucket): string {
  if (bucket === 'day') return day;
  const date = new Date(`${day}T00:00:00Z`);
  const sinceMonday = (date.getUTCDay() + 6) % 7;
  return utcDay(new Date(date.getTime() - sinceMonday * DAY_MS));
}

/**
 * Every bucket of a window, oldest first, computed without touching the
 * database. Weekly buckets are labelled by their Monday, which may precede
 * the window's first day; they still count only rows inside the window.
 *
 * @example
 * bucketStarts(dateWindow('7d', now), 'day').length; // 7
 */
export function bucketStarts(window: DateWindow, bucket: Bucket): string[] {
  const step = bucket === 'day' ? DAY_MS : 7 * DAY_MS;
  const first = new Date(`${bucketStart(window.fromDay, bucket)}T00:00:00Z`).getTime();
  const last = new Date(`${window.toDay}T00:00:00Z`).getTime();
  const starts: string[] = [];
  for (let t = first; t <= last; t += step) starts.push(utcDay(new Date(t)));
  return starts;
}
