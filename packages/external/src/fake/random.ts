/** A seeded pseudo-random source returning floats in [0, 1). */
export type Random = () => number;

/** FNV-1a, 32-bit: a stable hash so a text (an agent id, a seed label) always maps to the same number. */
export function hashText(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** mulberry32: tiny, fast and good enough for reproducible test data and fault draws. */
export function createRandom(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A random source derived from several parts, e.g. (seed, agent id, request number). */
export function randomFor(...parts: Array<string | number>): Random {
  return createRandom(hashText(parts.join('|')));
}

/** Picks one element of a non-empty list. */
export function pick<T>(random: Random, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)] as T;
}
