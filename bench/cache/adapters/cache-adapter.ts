/** One library behind the same getOrSet/invalidate shape, so scenarios treat all of them alike. */
export interface CacheAdapter {
  readonly name: string;
  getOrSet(key: string, loader: () => Promise<unknown>): Promise<unknown>;
  /** Deletes one key (in every tier the library has). */
  invalidate(key: string): Promise<void>;
  close(): Promise<void>;
}

/** Where an adapter keeps its data: memory only, or memory in front of Redis. */
export interface AdapterSetup {
  /** Redis URL of the second tier; memory only when absent. */
  redisUrl?: string;
  /** Key prefix (or namespace) shared by instances of one trial and unique to it. */
  prefix: string;
}

export type AdapterFactory = {
  readonly name: string;
  /** `layered`: memory in front of Redis; `only`: Redis instead of memory; `none`: memory only. */
  readonly redis: 'layered' | 'only' | 'none';
  create(setup: AdapterSetup): Promise<CacheAdapter>;
};

/**
 * Libraries whose getOrSet takes a fixed function of the key (async-cache-dedupe, lru-cache's fetchMethod)
 * look the per-call loader up here.
 */
export class LoaderRegistry {
  private readonly loaders = new Map<string, () => Promise<unknown>>();

  remember(key: string, loader: () => Promise<unknown>): void {
    if (this.loaders.get(key) !== loader) this.loaders.set(key, loader);
  }

  load(key: string): Promise<unknown> {
    const loader = this.loaders.get(key);
    if (loader === undefined) throw new Error(`no loader for ${key}`);
    return loader();
  }
}
