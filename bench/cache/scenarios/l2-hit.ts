import { Redis } from 'ioredis';
import { percentile, percentileOfSorted, sortedCopy } from '../../support/stats.js';
import type { AdapterFactory, CacheAdapter } from '../adapters/cache-adapter.js';
import { shuffled, twoKilobyteValue } from '../measure.js';

export interface L2HitRow {
  name: string;
  p50Us: number;
  p99Us: number;
  /**
   * CPU time of the process per read (all threads, GC included), µs: unlike wall time, it does not grow
   * while the process waits for a core, so its tail shows GC pauses and work rather than the machine's load.
   */
  cpuP50Us: number;
  cpuP99Us: number;
  /** Wall p99 ÷ the floor's, round by round: lowest and highest, how far noise moves it within the run. */
  p99VsFloorRange: [number, number];
}

/** One side of the L2-hit comparison: writes a key through one instance, reads it through another. */
export interface L2Contender {
  name: string;
  write(key: string): Promise<unknown>;
  read(key: string): Promise<unknown>;
  close(): Promise<void>;
}

interface Contender extends L2Contender {
  /** Per round, the wall time of each read in µs. */
  rounds: number[][];
  cpu: number[];
}

export const FLOOR_NAME = 'raw ioredis GET + JSON.parse (floor)';

/**
 * A getOrSet that misses memory and hits Redis: one instance writes, a second (empty memory) reads. Reads are
 * interleaved key by key in a shuffled order, so a burst of load on the machine hits every contender alike.
 */
export async function measureL2Hit(
  factories: readonly AdapterFactory[],
  redisUrl: string,
  rounds: number,
  keysPerRound: number,
): Promise<L2HitRow[]> {
  const prefix = `bench:l2:${Date.now()}:`;
  const layered = factories.filter((f) => f.redis !== 'none');
  const contenders: Contender[] = await Promise.all(
    // Each its own prefix: two versions of perfkit must not read each other's entries.
    layered.map(async (factory, index) => ({
      ...(await l2Contender(factory, redisUrl, `${prefix}${index}:`)),
      rounds: [],
      cpu: [],
    })),
  );
  const floor: Contender = { ...rawRedisFloor(redisUrl, `${prefix}raw:`), rounds: [], cpu: [] };
  contenders.push(floor);
  for (let round = 0; round <= rounds; round++) {
    const keys = Array.from({ length: keysPerRound }, (_, i) => `${round}:${i}`);
    for (const contender of contenders) {
      for (const key of keys) await contender.write(key);
      contender.rounds.push([]);
    }
    for (const key of keys) {
      for (const contender of shuffled(contenders)) {
        const cpu = process.cpuUsage();
        const started = performance.now();
        await contender.read(key);
        const us = (performance.now() - started) * 1000;
        const { user, system } = process.cpuUsage(cpu);
        // Round 0 warms the JIT and is thrown away.
        if (round === 0) continue;
        contender.rounds[round]?.push(us);
        contender.cpu.push(user + system);
      }
    }
  }
  await Promise.all(contenders.map((c) => c.close()));
  const p99Of = (samples: number[]) => percentile(samples, 99);
  const measured = (c: Contender) => c.rounds.slice(1);
  return contenders.map((c) => {
    const all = sortedCopy(measured(c).flat());
    const cpu = sortedCopy(c.cpu);
    const byRound = measured(c).map((samples, i) => p99Of(samples) / p99Of(measured(floor)[i] ?? []));
    return {
      name: c.name,
      p50Us: percentileOfSorted(all, 50),
      p99Us: percentileOfSorted(all, 99),
      cpuP50Us: percentileOfSorted(cpu, 50),
      cpuP99Us: percentileOfSorted(cpu, 99),
      p99VsFloorRange: [Math.min(...byRound), Math.max(...byRound)],
    };
  });
}

/** A writer and a reader instance of one library under `prefix`, caching the 2 KB value. */
export async function l2Contender(
  factory: AdapterFactory,
  redisUrl: string,
  prefix: string,
): Promise<L2Contender> {
  const value = twoKilobyteValue();
  const loader = async () => value;
  const [writer, reader]: CacheAdapter[] = await Promise.all([
    factory.create({ prefix, redisUrl }),
    factory.create({ prefix, redisUrl }),
  ]);
  return {
    name: factory.name,
    write: (key) => (writer as CacheAdapter).getOrSet(`${prefix}${key}`, loader),
    read: (key) => (reader as CacheAdapter).getOrSet(`${prefix}${key}`, loader),
    close: async () => {
      await Promise.all([writer?.close(), reader?.close()]);
    },
  };
}

/** The floor: one ioredis GET of the same JSON plus JSON.parse. */
export function rawRedisFloor(redisUrl: string, prefix: string): L2Contender {
  const client = new Redis(redisUrl);
  const json = JSON.stringify(twoKilobyteValue());
  return {
    name: FLOOR_NAME,
    write: (key) => client.set(`${prefix}${key}`, json, 'EX', 600),
    read: async (key) => JSON.parse((await client.get(`${prefix}${key}`)) ?? 'null'),
    close: async () => {
      client.disconnect();
    },
  };
}
