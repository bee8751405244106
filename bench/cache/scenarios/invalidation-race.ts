import type { AdapterFactory } from '../adapters/cache-adapter.js';
import { delay } from '../measure.js';

export interface InvalidationRaceRow {
  name: string;
  servedPreInvalidation: number;
  trials: number;
}

/**
 * A 100 ms load reads the data, the data changes and the key is invalidated 30 ms in; after the load
 * settles, does the next getOrSet return the pre-invalidation value?
 */
export async function measureInvalidationRace(
  factories: readonly AdapterFactory[],
  redisUrl: string,
  trials: number,
): Promise<InvalidationRaceRow[]> {
  const rows: InvalidationRaceRow[] = [];
  const run = Date.now();
  for (const factory of factories) {
    const adapter = await factory.create({ prefix: `bench:race:${run}:`, redisUrl });
    let served = 0;
    for (let trial = 0; trial < trials; trial++) {
      const key = `race:${run}:${trial}`;
      const db = { value: 'pre' };
      const read = (ms: number) => async () => {
        const seen = db.value;
        await delay(ms);
        return { seen };
      };
      const inFlight = adapter.getOrSet(key, read(100));
      await delay(30);
      db.value = 'post';
      await adapter.invalidate(key);
      // lru-cache rejects a fetch whose key was deleted; that is not serving the old value.
      await inFlight.catch(() => undefined);
      const after = (await adapter.getOrSet(key, read(1))) as { seen: string };
      if (after.seen === 'pre') served += 1;
    }
    await adapter.close();
    rows.push({ name: adapter.name, servedPreInvalidation: served, trials });
  }
  return rows;
}
