import type { CacheResult } from '../cache-entry.js';

interface InFlight {
  readonly tags: readonly string[];
  promise?: Promise<CacheResult<unknown>>;
}

const NO_FENCE = -1;

/**
 * The loads running in this process, one per key, and the local fences that keep an invalidated load from
 * being stored or joined. Every invalidating operation takes the next sequence number; a load remembers the
 * number it started at and is fenced if its key, one of its tags, or everything was invalidated after that.
 *
 * @example
 * const result = loads.joinable(key) ?? loads.start(key, tags, (startSeq, finish) => load(key, startSeq, finish));
 */
export class InFlightLoads {
  private seq = 0;
  private clearedAt = NO_FENCE;
  private running = 0;
  private readonly keyFences = new Map<string, number>();
  private readonly tagFences = new Map<string, number>();
  private readonly loads = new Map<string, InFlight>();

  /** Moves on at every invalidation, loads running or not: a reader compares it across an await. */
  get sequence(): number {
    return this.seq;
  }

  /** True while a load of `key` runs that new callers may join. */
  has(key: string): boolean {
    return this.loads.has(key);
  }

  /** The load of `key` that a new caller may join, if one runs and no invalidation overtook it. */
  joinable(key: string): Promise<CacheResult<unknown>> | undefined {
    return this.loads.get(key)?.promise;
  }

  /**
   * Registers and runs a load. `load` receives the sequence number to check fences against, and `finish`,
   * which ends the load's record: call it once the result is decided, before reporting it, so that nobody
   * told the load is over can still join it. A load that does not call it is finished when it settles.
   */
  start(
    key: string,
    tags: readonly string[],
    load: (startSeq: number, finish: () => void) => Promise<CacheResult<unknown>>,
  ): Promise<CacheResult<unknown>> {
    this.running += 1;
    const record: InFlight = { tags };
    let finished = false;
    const finish = () => {
      if (finished) return;
      finished = true;
      if (this.loads.get(key) === record) this.loads.delete(key);
      this.running -= 1;
      // Fences matter only to loads that started before them; with none running they can all go.
      if (this.running === 0) {
        this.keyFences.clear();
        this.tagFences.clear();
      }
    };
    this.loads.set(key, record);
    const promise = load(this.seq, finish);
    record.promise = promise;
    promise.then(finish, finish);
    return promise;
  }

  /** True if the key, one of the tags, or everything was invalidated after `startSeq`. */
  isFenced(key: string, tags: readonly string[], startSeq: number): boolean {
    if (this.clearedAt > startSeq || (this.keyFences.get(key) ?? NO_FENCE) > startSeq) return true;
    return tags.some((tag) => (this.tagFences.get(tag) ?? NO_FENCE) > startSeq);
  }

  fenceKeys(keys: readonly string[]): void {
    const seq = ++this.seq;
    for (const key of keys) {
      if (this.running > 0) this.keyFences.set(key, seq);
      this.loads.delete(key);
    }
  }

  fenceTags(tags: readonly string[]): void {
    const seq = ++this.seq;
    if (this.running === 0) return;
    for (const tag of tags) this.tagFences.set(tag, seq);
    // New callers must not join a load that an invalidation has overtaken.
    for (const [key, record] of this.loads) {
      if (record.tags.some((tag) => tags.includes(tag))) this.loads.delete(key);
    }
  }

  /** Fences every load running now (clear, flush). */
  fenceAll(): void {
    this.clearedAt = ++this.seq;
    this.loads.clear();
  }
}
