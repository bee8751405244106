import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/program.js';
import { parseTime } from '../../src/util/parse-time.js';
import { memoryIo } from '../helpers/latency-server.js';

describe('--start-at', () => {
  it('refuses a date or time the calendar does not have instead of rolling it over', () => {
    for (const text of [
      '2026-11-31T12:00:00Z',
      '2026-13-01T00:00:00Z',
      '2026-02-30T00:00Z',
      '2027-02-29T00:00:00+01:00',
      '2026-11-01T24:00:00Z',
      '2026-11-01T12:60:00Z',
      '2026-11-01T12:00:60Z',
    ]) {
      expect(() => parseTime(text, '--start-at'), text).toThrow(
        `--start-at must be a date and time the calendar has (no month 13, no 31 November, no 24:00), got "${text}"`,
      );
    }
  });

  it('reads the times the calendar has, in any zone', () => {
    expect(parseTime('2028-02-29T10:00:00+01:00', '--start-at').toISOString()).toBe(
      '2028-02-29T09:00:00.000Z',
    );
    expect(parseTime('2026-11-30T23:59:59.5Z', '--start-at').toISOString()).toBe('2026-11-30T23:59:59.500Z');
    expect(parseTime('1798761600', '--start-at').toISOString()).toBe('2027-01-01T00:00:00.000Z');
  });

  it('exits 2 on 31 November before loadtest sends anything', async () => {
    const run = memoryIo();
    const args = ['loadtest', '-t', 'x=http://127.0.0.1:1/', '--start-at', '2026-11-31T12:00:00Z'];
    expect(await runCli(args, run.io)).toBe(2);
    expect(run.stderr()).toMatch(/^perf-cli: --start-at must be a date and time the calendar has .*\n$/);
  });
});
