import { bucketStarts, dayWindow } from '@perfkit/queries';
import { describe, expect, it } from 'vitest';
import { averageSeconds, rate } from '../../src/contract/rates.js';
import type { ActivityItem } from '../../src/contract/response-bodies.js';
import { compareActivity, leadQuality } from '../../src/dashboard/dashboard-rules.js';

describe('rate', () => {
  it('rounds to 4 decimals and is 0 on a zero denominator', () => {
    expect(rate(1, 3)).toBe(0.3333);
    expect(rate(2, 3)).toBe(0.6667);
    expect(rate(0, 0)).toBe(0);
    expect(rate(7, 7)).toBe(1);
  });

  it('rounds halfway cases up, like PostgreSQL round()', () => {
    expect(rate(1, 32)).toBe(0.0313);
    expect(rate(1, 160)).toBe(0.0063);
  });
});

describe('averageSeconds', () => {
  it('rounds to 1 decimal and is 0 without completed calls', () => {
    expect(averageSeconds(125, 2)).toBe(62.5);
    expect(averageSeconds(100, 3)).toBe(33.3);
    expect(averageSeconds(0, 0)).toBe(0);
  });
});

describe('dayWindow (from @perfkit/queries)', () => {
  it('covers N whole UTC days ending with the day of now', () => {
    const window = dayWindow('7d', new Date('2026-11-01T00:30:00+02:00'));

    // 00:30 at +02:00 is still 31 October in UTC.
    expect(window).toEqual({
      fromDay: '2026-10-25',
      toDay: '2026-10-31',
      start: new Date('2026-10-25T00:00:00Z'),
      end: new Date('2026-11-01T00:00:00Z'),
    });
  });

  it('starts weekly buckets on Mondays, through the week of today', () => {
    const window = dayWindow('90d', new Date('2026-11-01T15:00:00Z'));

    const starts = bucketStarts(window, 'week');
    expect(starts[0]).toBe('2026-08-03');
    expect(starts.at(-1)).toBe('2026-10-26');
    expect(starts).toHaveLength(13);
    for (const start of starts) expect(new Date(`${start}T00:00:00Z`).getUTCDay()).toBe(1);
  });
});

describe('dashboard rules', () => {
  it('bands lead scores into hot, warm, cold and unscored', () => {
    expect([80, 100, 79, 50, 49, 0, null].map(leadQuality)).toEqual([
      'hot',
      'hot',
      'warm',
      'warm',
      'cold',
      'cold',
      'unscored',
    ]);
  });

  it('orders activity newest first, then calls before leads, then higher id first', () => {
    const at = (type: 'call' | 'lead', id: number, createdAt: string) =>
      ({ type, id, createdAt }) as ActivityItem;
    const items = [
      at('lead', 9, '2026-11-01T10:00:00.000Z'),
      at('call', 1, '2026-11-01T10:00:00.000Z'),
      at('call', 2, '2026-11-01T10:00:00.000Z'),
      at('lead', 3, '2026-11-01T11:00:00.000Z'),
    ];

    expect(items.sort(compareActivity).map((item) => `${item.type}${item.id}`)).toEqual([
      'lead3',
      'call2',
      'call1',
      'lead9',
    ]);
  });
});
