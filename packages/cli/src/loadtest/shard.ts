import { InvalidOptionError } from '../errors.js';
import type { Shard } from './report-schema.js';

/** The whole run as one shard. */
export const WHOLE_RUN: Shard = { index: 1, count: 1 };

const isShard = (index: number, count: number) =>
  Number.isInteger(index) && Number.isInteger(count) && index >= 1 && index <= count;

/**
 * Parses `K/N` (1 ≤ K ≤ N), as `--shard` takes it.
 *
 * @example
 * parseShard('2/4') // { index: 2, count: 4 }
 */
export function parseShard(text: string): Shard {
  const match = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  const index = Number(match?.[1]);
  const count = Number(match?.[2]);
  if (!match || !isShard(index, count)) {
    throw new InvalidOptionError('shard', `must be K/N with 1 <= K <= N, e.g. 2/4, got "${text}"`);
  }
  return { index, count };
}

/**
 * Checks a shard given as an object (integers, 1 ≤ index ≤ count).
 *
 * @example
 * checkShard({ index: 3, count: 2 }) // throws InvalidOptionError naming the option `shard`
 */
export function checkShard(shard: Shard): Shard {
  if (!isShard(shard.index, shard.count)) {
    throw new InvalidOptionError(
      'shard',
      `must have integers 1 <= index <= count, got index ${shard.index} and count ${shard.count}`,
    );
  }
  return shard;
}

/** `K/N`, as reports and messages show a shard. */
export const formatShard = (shard: Shard) => `${shard.index}/${shard.count}`;

/**
 * Splits a shard into `parts` shards (one per worker thread) that together
 * send exactly what it sends.
 *
 * @example
 * splitShard({ index: 2, count: 2 }, 2) // [{ index: 2, count: 4 }, { index: 4, count: 4 }]
 */
export function splitShard(shard: Shard, parts: number): Shard[] {
  return Array.from({ length: parts }, (_, w) => ({
    index: shard.index + shard.count * w,
    count: shard.count * parts,
  }));
}

/**
 * How many of a schedule's `total` requests a shard sends.
 *
 * @example
 * shardRequests(5, { index: 1, count: 2 }) // 3 (requests 0, 2, 4)
 */
export function shardRequests(total: number, shard: Shard): number {
  const offset = shard.index - 1;
  return total > offset ? Math.ceil((total - offset) / shard.count) : 0;
}

/**
 * A shard's share of the run's connections: the remainder goes to the first shards.
 *
 * @example
 * shardConnections(10, { index: 1, count: 4 }) // 3
 */
export function shardConnections(total: number, shard: Shard): number {
  return Math.floor(total / shard.count) + (shard.index - 1 < total % shard.count ? 1 : 0);
}
