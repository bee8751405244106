import { describe, expect, it } from 'vitest';
import { SeriesTable } from '../../src/http/route-series.js';
import { WindowStatsReader } from '../../src/http/window-stats.js';

const settings = { windowMs: 1_000, windowSlices: 4, buckets: [0.005, 0.1] };

describe('series table', () => {
  it('shows every recorded request to a read, however many are waiting for their batch', () => {
    const table = new SeriesTable(settings, 10);
    const series = table.resolve('/agents', 'GET', 0);
    for (let i = 0; i < 100; i++) table.record(series, 2_000, 200, 10);
    for (let i = 0; i < 5; i++) table.record(series, 50_000, 503, 10);

    expect(table.all()).toEqual([series]);
    expect(series.byStatusClass[2]?.count).toBe(100);
    expect(series.byStatusClass[5]?.count).toBe(5);
    const stats = new WindowStatsReader().read([series], 10);
    expect(stats.latency.count).toBe(105);
    expect(stats.errors).toBe(5);
  });

  it('records a waiting request at the time it ended, not at the time of the read', () => {
    const table = new SeriesTable(settings, 10);
    const series = table.resolve('/agents', 'GET', 0);
    for (let i = 0; i < 10; i++) table.record(series, 2_000, 200, 100);
    table.record(series, 3_000, 200, 2_500);

    table.all();
    expect(new WindowStatsReader().read([series], 2_500).latency.count).toBe(1);
    expect(series.byStatusClass[2]?.count).toBe(11);
  });
});
