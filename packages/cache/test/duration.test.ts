import { describe, expect, it } from 'vitest';
import { parseDuration } from '../src/duration.js';
import { CacheOptionsError } from '../src/errors.js';

describe('parseDuration', () => {
  it('accepts milliseconds as numbers and strings with a unit', () => {
    expect(parseDuration(250, 'ttl')).toBe(250);
    expect(parseDuration('250ms', 'ttl')).toBe(250);
    expect(parseDuration('30s', 'ttl')).toBe(30_000);
    expect(parseDuration('1.5m', 'ttl')).toBe(90_000);
    expect(parseDuration('2h', 'ttl')).toBe(7_200_000);
    expect(parseDuration('1d', 'ttl')).toBe(86_400_000);
  });

  it('rejects negative, infinite and unparseable durations naming the option', () => {
    expect(() => parseDuration(-1, 'ttl')).toThrow(CacheOptionsError);
    expect(() => parseDuration(Number.POSITIVE_INFINITY, 'swr')).toThrow('Invalid cache option "swr"');
    expect(() => parseDuration('5 parsecs' as never, 'timeout')).toThrow(
      `Invalid cache option "timeout": expected ms or a string like '30s', got "5 parsecs"`,
    );
  });
});
