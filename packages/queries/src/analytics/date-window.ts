import { InvalidQueryParamsError } from '../errors.js';

const DAY_MS = 86_400_000;

/** A dashboard range: `Nd` is the N UTC days ending with today's partial day. */
export type RangeName = '7d' | '30d' | '90d';

/** Chart bucket: a UTC day, or an ISO week (Monday first). */
export type Bucket = 'day' | 'week';

/** The whole UTC days a range covers at some `now`. */
export interface DayWindow {
  /** First day, `YYYY-MM-DD`, inclusive. */
  fromDay: string;
  /** Last day (the day of `now`), `YYYY-MM-DD`, inclusive. */
  toDay: string;
  /** Start of `fromDay`, inclusive. */
  start: Date;
  /** Start of the day after `toDay`, exclusive. */
  end: Date;
}

/** `YYYY-MM-DD` of an instant (ms since the epoch), in UTC. */
const isoDay = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

// The last day utcDay formatted: request handlers ask for the day of "now" all day long. This module's
// own window arithmetic formats other days with isoDay, so it does not evict it.
let lastDayIndex = Number.NaN;
let lastDayText = '';

/** `YYYY-MM-DD` of an instant, in UTC. */
export function utcDay(date: Date): string {
  const index = Math.floor(date.getTime() / DAY_MS);
  if (index !== lastDayIndex) {
    lastDayText = isoDay(date.getTime());
    lastDayIndex = index;
  }
  return lastDayText;
}

/**
 * The window of a range at `now`: N whole UTC days, the last one being today.
 *
 * @example
 * dayWindow('7d', new Date('2026-11-01T15:00:00Z')); // { fromDay: '2026-10-26', toDay: '2026-11-01', … }
 */
export function dayWindow(range: RangeName | number, now: Date): DayWindow {
  // `'7days'` or `'7 d'` is not a range, though parseInt would read 7.
  const days =
    typeof range === 'number' ? range : /^\d+d$/.test(range) ? Number.parseInt(range, 10) : Number.NaN;
  if (!Number.isInteger(days) || days < 1 || days > 3660) {
    throw new InvalidQueryParamsError(
      'range',
      `range must be 1..3660 days ('7d', or 7), got ${String(range)}`,
    );
  }
  if (!(now instanceof Date) || Number.isNaN(now.getTime()))
    throw new InvalidQueryParamsError('now', `now must be a valid Date, got ${String(now)}`);
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const start = new Date(today - (days - 1) * DAY_MS);
  return { fromDay: isoDay(start.getTime()), toDay: isoDay(today), start, end: new Date(today + DAY_MS) };
}

/**
 * The bucket holding `day`: the day itself, or the Monday of its ISO week.
 *
 * @example
 * bucketStart('2026-11-01', 'week'); // '2026-10-26'
 */
export function bucketStart(day: string, bucket: Bucket): string {
  if (bucket === 'day') return day;
  const date = new Date(`${day}T00:00:00Z`);
  const sinceMonday = (date.getUTCDay() + 6) % 7;
  return isoDay(date.getTime() - sinceMonday * DAY_MS);
}

/** `bucket` if it is one, else an `InvalidQueryParamsError` (any other value was read as a week). */
export function checkBucket(bucket: Bucket): Bucket {
  if (bucket === 'day' || bucket === 'week') return bucket;
  throw new InvalidQueryParamsError('bucket', `bucket must be 'day' or 'week', got ${String(bucket)}`);
}

/**
 * Every bucket of a window, oldest first, computed in code (no query per
 * bucket). A weekly bucket is labelled by its Monday, which may precede the
 * window's first day; it still counts only days inside the window.
 *
 * @example
 * bucketStarts(dayWindow('30d', now), 'week'); // ['2026-09-28', '2026-10-05', …]
 */
export function bucketStarts(window: DayWindow, bucket: Bucket): string[] {
  checkBucket(bucket);
  const step = bucket === 'day' ? DAY_MS : 7 * DAY_MS;
  const first = new Date(`${bucketStart(window.fromDay, bucket)}T00:00:00Z`).getTime();
  const last = new Date(`${window.toDay}T00:00:00Z`).getTime();
  const starts: string[] = [];
  for (let t = first; t <= last; t += step) starts.push(isoDay(t));
  return starts;
}
