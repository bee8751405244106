import { hashText, type Random, seededRandom } from '@perfkit/primitives';

/** A random source derived from several parts, e.g. (seed, agent id, request number). */
export function randomFor(...parts: Array<string | number>): Random {
  return seededRandom(hashText(parts.join('|')));
}

/** Picks one element of a non-empty list. */
export function pick<T>(random: Random, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)] as T;
}
