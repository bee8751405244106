import type { AdapterFactory } from '../adapters/cache-adapter.js';
import { delay, twoKilobyteValue } from '../measure.js';

export interface MissStormRow {
  name: string;
  loaderCalls: number[];
}

/** `instances` × `callsEach` concurrent getOrSet of one cold key, each instance with its own connection. */
export async function measureMissStorm(
  factories: readonly AdapterFactory[],
  redisUrl: string,
  options: { instances: number; callsEach: number; trials: number; loaderMs: number },
): Promise<MissStormRow[]> {
  const rows: MissStormRow[] = factories.map((f) => ({ name: f.name, loaderCalls: [] }));
  const value = twoKilobyteValue();
  for (let trial = 0; trial < options.trials; trial++) {
    for (const [index, factory] of factories.entries()) {
      const prefix = `bench:storm:${Date.now()}:${trial}:`;
      // Keys carry the prefix too: async-cache-dedupe's Redis storage has no prefix of its own.
      const key = `${prefix}storm`;
      const instances = await Promise.all(
        Array.from({ length: options.instances }, () => factory.create({ prefix, redisUrl })),
      );
      let calls = 0;
      const loader = async () => {
        calls += 1;
        await delay(options.loaderMs);
        return value;
      };
      await Promise.all(
        instances.flatMap((instance) =>
          Array.from({ length: options.callsEach }, () => instance.getOrSet(key, loader)),
        ),
      );
      rows[index]?.loaderCalls.push(calls);
      await Promise.all(instances.map((instance) => instance.close()));
    }
  }
  return rows;
}
