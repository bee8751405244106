import { describe, expect, it } from 'vitest';
import { checkNumber, InvalidOptionError, type NumberBounds, parseNumber } from '../src/index.js';

class TestOptionError extends InvalidOptionError<'PERFKIT_TEST_INVALID_OPTION'> {
  constructor(option: string, message: string) {
    super(option, `${option} ${message}`, 'PERFKIT_TEST_INVALID_OPTION');
  }
}

// Each row: a value, the bounds, and the message it is refused with (undefined: accepted).
const CHECKS: ReadonlyArray<readonly [value: number, bounds: NumberBounds, refusal: string | undefined]> = [
  [1, { min: 1, integer: true }, undefined],
  [0, { min: 1, integer: true }, 'n must be an integer >= 1, got 0'],
  [1.5, { min: 1, integer: true }, 'n must be an integer >= 1, got 1.5'],
  [0.5, { above: 0, below: 1 }, undefined],
  [1, { above: 0, below: 1 }, 'n must be a number > 0 and < 1, got 1'],
  [-1, { min: 0, unit: 'ms' }, 'n must be >= 0 ms, got -1 ms'],
  [Number.NaN, {}, 'n must be a number, got NaN'],
  [Number.POSITIVE_INFINITY, { max: 10 }, 'n must be a number <= 10, got Infinity'],
];

describe('checkNumber', () => {
  it.each(CHECKS)('checks %d against %j', (value, bounds, refusal) => {
    const check = () => checkNumber(value, 'n', bounds, TestOptionError);
    if (refusal === undefined) expect(check()).toBe(value);
    else expect(check).toThrow(new TestOptionError('n', refusal.slice(2)));
  });
});

describe('parseNumber', () => {
  it('reads a number from text and shows the text it could not read', () => {
    expect(parseNumber(' 200 ', '--rate', { above: 0 }, TestOptionError)).toBe(200);
    expect(() => parseNumber('fast', '--rate', { above: 0 }, TestOptionError)).toThrow(
      '--rate must be a number > 0, got "fast"',
    );
    expect(() => parseNumber('', '--rate', {}, TestOptionError)).toThrow('--rate must be a number, got ""');
  });
});
