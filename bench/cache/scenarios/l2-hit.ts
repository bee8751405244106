import { Redis } from 'ioredis';
import type { AdapterFactory, CacheAdapter } from '../adapters/cache-adapter.js';
import { percentile, shuffled, sortedCopy, twoKilobyteValue } from '../measure.js';

export interface L2HitRow {
  name: string;
  p50Us: number;
  p99Us: number;
}

interface Contender {
  name: string;
  write(key: string): Promise<unknown>;
  read(key: string): Promise<unknown>;
  close(): Promise<void>;
  samples: number[];
}

/** A getOrSet that misses memory and hits Redis: one instance writes, a second (empty memory) reads. */
export async function measureL2Hit(
  factories: readonly AdapterFactory[],
  redisUrl: string,
  rounds: number,
  keysPerRound: number,
): Promise<L2HitRow[]> {
  const prefix = `bench:l2:${Date.now()}:`;
  const value = twoKilobyteValue();
  const loader = async () => value;
  const pairs = factories.filter((f) => f.redis !== 'none');
  const contenders: Contender[] = await Promise.all(
    pairs.map(async (factory) => {
      const [writer, reader]: CacheAdapter[] = await Promise.all([
        factory.create({ prefix, redisUrl }),
        factory.create({ prefix, redisUrl }),
      ]);
      return {
        name: reader?.name ?? factory.name,
        write: (key: string) => (writer as CacheAdapter).getOrSet(key, loader),
        read: (key: string) => (reader as CacheAdapter).getOrSet(key, loader),
        close: async () => {
          await Promise.all([writer?.close(), reader?.close()]);
        },
        samples: [],
      };
    }),
  );
  contenders.push(rawRedisFloor(redisUrl, `${prefix}raw:`, JSON.stringify(value)));
  for (let round = 0; round <= rounds; round++) {
    for (const contender of shuffled(contenders)) {
      const keys = Array.from({ length: keysPerRound }, (_, i) => `${prefix}${round}:${i}`);
      for (const key of keys) await contender.write(key);
      for (const key of keys) {
        const started = performance.now();
        await contender.read(key);
        if (round > 0) contender.samples.push((performance.now() - started) * 1000);
      }
    }
  }
  await Promise.all(contenders.map((c) => c.close()));
  return contenders.map(({ name, samples }) => {
    const sorted = sortedCopy(samples);
    return { name, p50Us: percentile(sorted, 50), p99Us: percentile(sorted, 99) };
  });
}

/** The floor: one ioredis GET of the same JSON plus JSON.parse. */
function rawRedisFloor(redisUrl: string, prefix: string, json: string): Contender {
  const client = new Redis(redisUrl);
  return {
    name: 'raw ioredis GET + JSON.parse (floor)',
    write: (key) => client.set(`${prefix}${key}`, json, 'EX', 600),
    read: async (key) => JSON.parse((await client.get(`${prefix}${key}`)) ?? 'null'),
    close: async () => {
      client.disconnect();
    },
    samples: [],
  };
}
