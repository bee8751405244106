import { describe, expect, it } from 'vitest';
import { dayWindow, utcDay } from '../../src/index.js';

describe('utcDay', () => {
  it('gives the UTC day of each instant, also when days alternate', () => {
    const instants = [
      '2026-11-01T23:59:59.999Z',
      '2026-11-02T00:00:00Z',
      '2026-11-01T00:00:00Z',
      '1969-12-31T12:00:00Z',
    ];

    expect(instants.map((at) => utcDay(new Date(at)))).toEqual([
      '2026-11-01',
      '2026-11-02',
      '2026-11-01',
      '1969-12-31',
    ]);
  });

  it('rejects an invalid date', () => {
    expect(() => utcDay(new Date(Number.NaN))).toThrow(RangeError);
  });

  it("ends a range's window on the day of now", () => {
    expect(dayWindow('7d', new Date('2026-11-01T15:00:00Z'))).toMatchObject({
      fromDay: '2026-10-26',
      toDay: '2026-11-01',
    });
  });
});
