import type { CacheLike, CacheWriteOptions } from '../../src/index.js';

interface Entry {
  value: unknown;
  storedAt: number;
}

/** A real in-memory implementation of the client's cache port, ages measured with `now`. */
export class MemoryCache implements CacheLike {
  readonly #entries = new Map<string, Entry>();
  readonly writes: Array<{ key: string; opts?: CacheWriteOptions }> = [];

  constructor(private readonly now: () => number = Date.now) {}

  async getOrSet<T>(key: string, loader: () => Promise<T>, opts?: CacheWriteOptions): Promise<T> {
    const entry = this.#entries.get(key);
    if (entry) return entry.value as T;
    const value = await loader();
    await this.set(key, value, opts);
    return value;
  }

  async peek<T>(key: string): Promise<{ value: T; ageMs: number } | undefined> {
    return this.peekLocal<T>(key);
  }

  peekLocal<T>(key: string): { value: T; ageMs: number } | undefined {
    const entry = this.#entries.get(key);
    return entry && { value: entry.value as T, ageMs: this.now() - entry.storedAt };
  }

  async set<T>(key: string, value: T, opts?: CacheWriteOptions): Promise<void> {
    this.writes.push({ key, opts });
    this.#entries.set(key, { value, storedAt: this.now() });
  }

  async delete(key: string): Promise<void> {
    this.#entries.delete(key);
  }

  /** Stores `value` as if it had been written `ageMs` ago. */
  store(key: string, value: unknown, ageMs: number): void {
    this.#entries.set(key, { value, storedAt: this.now() - ageMs });
  }
}
