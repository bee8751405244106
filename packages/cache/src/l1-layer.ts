import { LRUCache } from 'lru-cache';
import type { CacheEntry } from './cache-entry.js';
import type { EvictReason } from './cache-events.js';

/** The in-process tier: an LRU bounded by entries and serialized bytes, with a tag index. */
export class L1Layer {
  private readonly lru: LRUCache<string, CacheEntry>;
  private readonly keysByTag = new Map<string, Set<string>>();

  constructor(
    maxEntries: number,
    maxBytes: number,
    private readonly onEvict: (key: string, reason: EvictReason) => void,
  ) {
    this.lru = new LRUCache<string, CacheEntry>({
      max: maxEntries,
      maxSize: maxBytes,
      sizeCalculation: (entry, key) => entry.size + key.length,
      dispose: (entry, key, reason) => {
        this.unindex(key, entry);
        if (reason === 'evict') this.onEvict(key, 'capacity');
      },
    });
  }

  get size(): number {
    return this.lru.size;
  }

  get bytes(): number {
    return this.lru.calculatedSize;
  }

  get(key: string): CacheEntry | undefined {
    return this.lru.get(key);
  }

  set(key: string, entry: CacheEntry): void {
    // Index after the LRU set: replacing an entry disposes the old one, which unindexes its tags.
    this.lru.set(key, entry);
    // An entry larger than the byte bound is refused by the LRU; leave no index behind.
    if (this.lru.peek(key) !== entry) return;
    for (const tag of entry.tags) {
      let keys = this.keysByTag.get(tag);
      if (keys === undefined) {
        keys = new Set();
        this.keysByTag.set(tag, keys);
      }
      keys.add(key);
    }
  }

  delete(key: string, reason: EvictReason): void {
    if (this.lru.delete(key)) this.onEvict(key, reason);
  }

  deleteTagged(tags: readonly string[], reason: EvictReason): void {
    for (const tag of tags) {
      const keys = this.keysByTag.get(tag);
      if (keys === undefined) continue;
      for (const key of [...keys]) this.delete(key, reason);
    }
  }

  flush(): void {
    for (const key of [...this.lru.keys()]) this.delete(key, 'flushed');
  }

  private unindex(key: string, entry: CacheEntry): void {
    for (const tag of entry.tags) {
      const keys = this.keysByTag.get(tag);
      keys?.delete(key);
      if (keys?.size === 0) this.keysByTag.delete(tag);
    }
  }
}
