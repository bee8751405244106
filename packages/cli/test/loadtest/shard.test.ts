import { describe, expect, it } from 'vitest';
import { parseShard, shardConnections, shardRequests, splitShard } from '../../src/loadtest/shard.js';
import { parseTime } from '../../src/util/parse-time.js';

describe('shards', () => {
  it('split a schedule so that every request is sent exactly once, over machines and their workers', () => {
    for (let total = 0; total <= 40; total++) {
      for (let machines = 1; machines <= 4; machines++) {
        for (let workers = 1; workers <= 3; workers++) {
          const sent: number[] = [];
          for (let m = 1; m <= machines; m++) {
            for (const shard of splitShard({ index: m, count: machines }, workers)) {
              const n = shardRequests(total, shard);
              for (let j = 0; j < n; j++) sent.push(shard.index - 1 + j * shard.count);
            }
          }
          expect(sent.sort((a, b) => a - b)).toEqual(Array.from({ length: total }, (_, i) => i));
        }
      }
    }
  });

  it('share the connections with the remainder going to the first shards', () => {
    expect([1, 2, 3, 4].map((index) => shardConnections(10, { index, count: 4 }))).toEqual([3, 3, 2, 2]);
  });

  it('are written K/N, and anything else is refused naming the option', () => {
    expect(parseShard('2/4')).toEqual({ index: 2, count: 4 });
    for (const bad of ['0/2', '3/2', '2', 'a/b', '1/0'])
      expect(() => parseShard(bad)).toThrow(
        expect.objectContaining({ option: 'shard', message: expect.stringMatching(/^shard must be K\/N/) }),
      );
  });
});

describe('parseTime', () => {
  it('takes ISO 8601 with a zone, or Unix seconds', () => {
    expect(parseTime('2026-11-01T15:00:00Z', '--start-at').toISOString()).toBe('2026-11-01T15:00:00.000Z');
    expect(parseTime('2026-11-01T16:00:00+01:00', '--start-at').toISOString()).toBe(
      '2026-11-01T15:00:00.000Z',
    );
    expect(parseTime('1793545200', '--start-at').toISOString()).toBe('2026-11-01T15:00:00.000Z');
  });

  it('refuses a time without its zone, which would mean different moments on different machines', () => {
    expect(() => parseTime('2026-11-01T15:00:00', '--start-at')).toThrow(
      '--start-at must be an ISO 8601 time with its zone',
    );
  });
});
