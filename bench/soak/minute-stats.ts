/** Per-minute figures of a soak: latency percentiles, errors and the app's resident memory. */
import { readFile } from 'node:fs/promises';
import { percentileOfSorted } from '../support/stats.js';

/** One minute of the soak. */
export interface MinuteFigures {
  minute: number;
  requests: number;
  reads: number;
  writes: number;
  errors: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Mean resident set size of the app over the minute, MB. */
  rssMb: number;
  /**
   * The least resident set size sampled in the minute, MB: the floor the heap
   * comes back to after its collections. A leak raises it; a large young
   * generation between two collections does not.
   */
  rssFloorMb: number;
  /** The app's longest event-loop delay in the minute, ms. */
  lagMaxMs: number;
}

interface MinuteState {
  latencies: number[];
  reads: number;
  writes: number;
  errors: number;
  rssKb: number[];
  lagMaxMs: number;
}

/** The resident set size of process `pid`, kB (Linux `/proc`). */
export async function residentKb(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(status);
  if (!match?.[1]) throw new Error(`no VmRSS for process ${pid}`);
  return Number(match[1]);
}

/**
 * Collects requests and memory samples into the minute they happened in.
 *
 * @example
 * const stats = new MinuteStats(performance.now());
 * stats.record('read', 12.5, true);
 * stats.figures(); // one row per minute
 */
export class MinuteStats {
  private readonly minutes: MinuteState[] = [];

  constructor(private readonly startedAt: number) {}

  private current(): MinuteState {
    const index = Math.floor((performance.now() - this.startedAt) / 60_000);
    for (let n = this.minutes.length; n <= index; n++) {
      this.minutes.push({ latencies: [], reads: 0, writes: 0, errors: 0, rssKb: [], lagMaxMs: 0 });
    }
    return this.minutes[index] as MinuteState;
  }

  /** One request: its kind, its latency, whether it succeeded. */
  record(kind: 'read' | 'write', ms: number, ok: boolean): void {
    const minute = this.current();
    minute.latencies.push(ms);
    if (kind === 'read') minute.reads++;
    else minute.writes++;
    if (!ok) minute.errors++;
  }

  /** One sample of the app's memory. */
  recordRss(kb: number): void {
    this.current().rssKb.push(kb);
  }

  /** One reading of the app's longest event-loop delay since the previous one. */
  recordLag(ms: number): void {
    const minute = this.current();
    minute.lagMaxMs = Math.max(minute.lagMaxMs, ms);
  }

  figures(): MinuteFigures[] {
    return this.minutes.map((state, minute) => {
      const sorted = [...state.latencies].sort((a, b) => a - b);
      const rss = state.rssKb.length ? state.rssKb.reduce((sum, kb) => sum + kb, 0) / state.rssKb.length : 0;
      return {
        minute: minute + 1,
        requests: sorted.length,
        reads: state.reads,
        writes: state.writes,
        errors: state.errors,
        // A minute without a request reads 0, not NaN.
        p50Ms: sorted.length === 0 ? 0 : percentileOfSorted(sorted, 50),
        p99Ms: sorted.length === 0 ? 0 : percentileOfSorted(sorted, 99),
        maxMs: sorted.at(-1) ?? 0,
        rssMb: rss / 1024,
        rssFloorMb: (state.rssKb.length ? Math.min(...state.rssKb) : 0) / 1024,
        lagMaxMs: state.lagMaxMs,
      };
    });
  }
}
