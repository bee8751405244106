import { describe, expect, it } from 'vitest';
import {
  type Duration,
  durationToMs,
  InvalidOptionError,
  MAX_TIMER_MS,
  parseDuration,
  parseTimerDuration,
} from '../src/index.js';

// The one Duration grammar of every perfkit package: each row is an input and its milliseconds.
const DURATIONS: ReadonlyArray<readonly [input: number | string, ms: number]> = [
  [0, 0],
  [250, 250],
  [1.5, 1.5],
  ['0', 0],
  ['1500', 1500],
  ['250ms', 250],
  ['1.5ms', 1.5],
  ['30s', 30_000],
  ['1.5m', 90_000],
  ['5m', 300_000],
  ['2h', 7_200_000],
  ['1d', 86_400_000],
  [' 30s ', 30_000],
  ['30 s', 30_000],
  ['\t1500\n', 1500],
  ['  2  h', 7_200_000],
];

// And what is not a duration, in any package.
const NOT_DURATIONS: readonly unknown[] = [
  -1,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  '',
  '   ',
  '-1s',
  '+1s',
  '.5s',
  '1.s',
  '1e3',
  '0x10',
  '30 secs',
  '30S',
  '1w',
  '5 parsecs',
  '1h30m',
  '3 0s',
  null,
  undefined,
  true,
  {},
  [30],
];

class TestOptionError extends InvalidOptionError<'PERFKIT_TEST_INVALID_OPTION'> {
  constructor(option: string, problem: string) {
    super(option, problem, 'PERFKIT_TEST_INVALID_OPTION');
  }
}

describe('the Duration grammar', () => {
  it.each(DURATIONS)('reads %j as %d ms', (input, ms) => {
    expect(durationToMs(input)).toBe(ms);
    expect(parseDuration(input, 'ttl', TestOptionError)).toBe(ms);
  });

  it.each(NOT_DURATIONS.map((input) => [input]))('refuses %j', (input) => {
    expect(durationToMs(input)).toBeUndefined();
    expect(() => parseDuration(input as string, 'ttl', TestOptionError)).toThrow(TestOptionError);
  });

  it('throws the package’s own invalid-option error, naming the option and the value it got', () => {
    let thrown: unknown;
    try {
      parseDuration('5 parsecs', 'retry.minDelay', TestOptionError);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(InvalidOptionError);
    expect(thrown).toMatchObject({
      code: 'PERFKIT_TEST_INVALID_OPTION',
      option: 'retry.minDelay',
      message:
        "retry.minDelay must be a duration (ms as a number, or a string such as '1500', '250ms', '30s', '5m', '1h', '1d'), got \"5 parsecs\"",
    });
    expect(() => parseDuration(-1, 'ttl', TestOptionError)).toThrow('ttl must be a duration');
    expect(() => parseDuration(-1, 'ttl', TestOptionError)).toThrow(/got -1$/);
  });

  it('types option fields so that a unit typo fails to compile (checked by `pnpm run typecheck`)', () => {
    const fields: Duration[] = [1500, '1500', '250ms', '30s', '30 s', '1.5m', '1h', '1d'];
    // @ts-expect-error: not a unit of the grammar
    const typo: Duration = '30 secs';
    expect([...fields, typo].map(durationToMs)).toContain(undefined);
  });
});

describe('parseDuration', () => {
  it('refuses 0 where the option must be positive, a duration of 0 elsewhere being 0', () => {
    expect(() => parseDuration('0s', 'ttl', TestOptionError, { positive: true })).toThrow(
      'ttl must be longer than 0 ms, got "0s"',
    );
    expect(parseDuration('0s', 'swr', TestOptionError)).toBe(0);
    // Past what a timer keeps is fine for a duration no timer arms (a Redis PX).
    expect(parseDuration('30d', 'ttl', TestOptionError, { positive: true })).toBe(30 * 86_400_000);
  });
});

describe('parseTimerDuration', () => {
  it('takes the durations a Node.js timer keeps, up to 2^31 − 1 ms', () => {
    expect(parseTimerDuration('24d', 'deadline', TestOptionError)).toBe(24 * 86_400_000);
    expect(parseTimerDuration(MAX_TIMER_MS, 'deadline', TestOptionError)).toBe(2 ** 31 - 1);
    expect(parseTimerDuration(0, 'interval', TestOptionError)).toBe(0);
  });

  it('refuses a longer one, which a timer would fire after 1 ms, naming the option and the value', () => {
    expect(() => parseTimerDuration('30d', 'deadline', TestOptionError)).toThrow(
      'deadline must be at most 2147483647 ms (about 24.8 days, the longest timer Node.js keeps), got "30d"',
    );
    expect(() => parseTimerDuration(MAX_TIMER_MS + 1, 'deadline', TestOptionError)).toThrow(TestOptionError);
  });

  it('refuses 0 where the option must be positive, and bad durations as parseDuration does', () => {
    expect(() => parseTimerDuration('0s', 'timeout', TestOptionError, { positive: true })).toThrow(
      'timeout must be longer than 0 ms, got "0s"',
    );
    expect(() => parseTimerDuration('soon', 'timeout', TestOptionError)).toThrow(
      'timeout must be a duration',
    );
  });
});
