import { percentileOfSorted, sortedCopy } from '../../support/stats.js';
import type { AdapterFactory } from '../adapters/cache-adapter.js';
import { nsPerCallByBatch, shuffled, twoKilobyteValue } from '../measure.js';

export interface HitPathRow {
  name: string;
  tiers: string;
  opsPerSecond: number;
  p50Ns: number;
  p99Ns: number;
}

/**
 * getOrSet of one key already in memory, libraries taking turns in shuffled order each round. With a Redis
 * URL, layered libraries run with Redis as L2; the others run as they can (memory only).
 */
export async function measureHitPath(
  factories: readonly AdapterFactory[],
  redisUrl: string | undefined,
  rounds: number,
  sliceMs: number,
): Promise<HitPathRow[]> {
  const prefix = `bench:hit:${Date.now()}:`;
  const value = twoKilobyteValue();
  const loader = async () => value;
  const adapters = await Promise.all(
    factories.map(async (factory, index) => {
      const layered = redisUrl !== undefined && factory.redis === 'layered';
      // Each its own prefix: two versions of perfkit must not share entries or bus messages.
      const adapter = await factory.create({
        prefix: `${prefix}${index}:`,
        redisUrl: layered ? redisUrl : undefined,
      });
      await adapter.getOrSet('hot', loader);
      return { adapter, tiers: layered ? 'memory + Redis' : 'memory', samples: [] as number[] };
    }),
  );
  for (let round = 0; round <= rounds; round++) {
    for (const run of shuffled(adapters)) {
      const samples = await nsPerCallByBatch(() => run.adapter.getOrSet('hot', loader), sliceMs);
      // Round 0 warms the JIT and is thrown away.
      if (round > 0) run.samples.push(...samples);
    }
  }
  await Promise.all(adapters.map((run) => run.adapter.close()));
  return adapters.map(({ adapter, tiers, samples }) => {
    const sorted = sortedCopy(samples);
    const meanNs = samples.reduce((sum, ns) => sum + ns, 0) / samples.length;
    return {
      name: adapter.name,
      tiers,
      opsPerSecond: 1e9 / meanNs,
      p50Ns: percentileOfSorted(sorted, 50),
      p99Ns: percentileOfSorted(sorted, 99),
    };
  });
}
