import type { InvalidOptionErrorClass } from './errors.js';

/**
 * The units a duration string may carry: milliseconds, seconds, minutes, hours, days.
 *
 * @example
 * const unit: DurationUnit = 'ms';
 */
export type DurationUnit = 'ms' | 's' | 'm' | 'h' | 'd';

/**
 * A duration as every perfkit option takes it: milliseconds as a number, or a string of a non-negative
 * number with an optional unit (`'250ms'`, `'30s'`, `'1.5m'`, `'1h'`, `'1d'`; a bare `'1500'` is ms, like
 * the number). `parseDuration` also accepts white space around the number and the unit, and any
 * `string`, since environment variables and CLI flags arrive as strings; this type is for option
 * fields, where a typo such as `'30 secs'` should fail to compile.
 *
 * @example
 * const ttl: Duration = '30s';
 */
export type Duration = number | `${number}` | `${number}${DurationUnit}` | `${number} ${DurationUnit}`;

const UNIT_MS: Readonly<Record<DurationUnit, number>> = {
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

const DURATION_STRING = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$/;

/**
 * Milliseconds of `value`, or `undefined` when it is not a duration: a negative or non-finite number,
 * or a string outside the grammar of {@link Duration}.
 *
 * @example
 * durationToMs(' 1.5 m '); // 90000
 * durationToMs('-1s'); // undefined
 */
export function durationToMs(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const match = DURATION_STRING.exec(value);
  if (match === null) return undefined;
  return Number(match[1]) * UNIT_MS[(match[2] ?? 'ms') as DurationUnit];
}

/**
 * Milliseconds of the duration option `option`; throws `new InvalidOption(option, problem)` (the
 * package's own invalid-option error) when `value` is not a {@link Duration}, or is 0 when
 * `positive` (a time to live of 0 would store nothing).
 *
 * @example
 * parseDuration(options.ttl ?? '1m', 'ttl', CacheOptionsError); // 60000
 * parseDuration(process.env.CACHE_TTL ?? '1m', 'CACHE_TTL', CacheOptionsError); // '2500' → 2500
 * parseDuration('0s', 'ttl', CacheOptionsError, { positive: true }); // throws: cache: ttl must be longer than 0 ms, got "0s"
 */
export function parseDuration(
  value: Duration | string,
  option: string,
  InvalidOption: InvalidOptionErrorClass,
  { positive = false }: { positive?: boolean } = {},
): number {
  const ms = durationToMs(value);
  if (ms === undefined) {
    throw new InvalidOption(
      option,
      `must be a duration (ms as a number, or a string such as '1500', '250ms', '30s', '5m', '1h', '1d'), got ${shownDuration(value)}`,
    );
  }
  if (positive && ms === 0)
    throw new InvalidOption(option, `must be longer than 0 ms, got ${shownDuration(value)}`);
  return ms;
}

/**
 * The longest delay a Node.js timer keeps, 2^31 − 1 ms (about 24.8 days): a longer one fires after 1 ms,
 * so a deadline of 30 days would expire at once and an interval of 30 days would run every millisecond.
 *
 * @example
 * setTimeout(expire, Math.min(waitMs, MAX_TIMER_MS));
 */
export const MAX_TIMER_MS = 2_147_483_647;

/**
 * Milliseconds of a duration option that arms a timer (a timeout, a deadline, an interval, a wait): as
 * {@link parseDuration}, and also refused past {@link MAX_TIMER_MS}, and at 0 when `positive` (a
 * timeout of 0 would end every call before it starts).
 *
 * @example
 * parseTimerDuration(options.timeout ?? '5s', 'timeout', CacheOptionsError, { positive: true }); // 5000
 * parseTimerDuration('30d', 'timeout', CacheOptionsError); // throws: cache: timeout must be at most 2147483647 ms …
 */
export function parseTimerDuration(
  value: Duration | string,
  option: string,
  InvalidOption: InvalidOptionErrorClass,
  { positive = false }: { positive?: boolean } = {},
): number {
  const ms = parseDuration(value, option, InvalidOption, { positive });
  if (ms > MAX_TIMER_MS) {
    throw new InvalidOption(
      option,
      `must be at most ${MAX_TIMER_MS} ms (about 24.8 days, the longest timer Node.js keeps), got ${shownDuration(value)}`,
    );
  }
  return ms;
}

function shownDuration(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}
