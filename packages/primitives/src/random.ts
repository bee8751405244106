/**
 * A source of floats in [0, 1), like `Math.random`.
 *
 * @example
 * const random: Random = seededRandom(42);
 */
export type Random = () => number;

/**
 * A seeded pseudo-random source (mulberry32): the same seed gives the same sequence on every run and
 * platform. Tiny and fast; good for reproducible test data, fault draws and resampling, not for secrets.
 *
 * @example
 * const random = seededRandom(7);
 * random(); // the same first float on every run
 */
export function seededRandom(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * FNV-1a, 32 bits: a stable hash, so a text (an agent id, a seed label) always maps to the same seed.
 *
 * @example
 * seededRandom(hashText('agent-config|agent_7'));
 */
export function hashText(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}
