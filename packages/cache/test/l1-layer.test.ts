import { describe, expect, it } from 'vitest';
import { createEntry } from '../src/cache-entry.js';
import type { EvictReason } from '../src/cache-events.js';
import { L1Layer } from '../src/l1-layer.js';

const policy = (tags: string[] = []) => ({ ttlMs: 1000, swrMs: 0, staleIfErrorMs: 0, tags });
const entry = (value: unknown, tags?: string[]) => createEntry('k', value, policy(tags), 0, 0).entry;

describe('L1Layer', () => {
  it('evicts the least recently used entry beyond the entry bound', () => {
    const evicted: [string, EvictReason][] = [];
    const l1 = new L1Layer(2, 1_000_000, (key, reason) => evicted.push([key, reason]));
    l1.set('a', entry(1));
    l1.set('b', entry(2));
    l1.get('a');
    l1.set('c', entry(3));
    expect(l1.get('b')).toBeUndefined();
    expect(l1.get('a')?.value).toBe(1);
    expect(evicted).toEqual([['b', 'capacity']]);
  });

  it('stays within the byte bound, counting serialized size', () => {
    const l1 = new L1Layer(1000, 5_000, () => undefined);
    for (let i = 0; i < 20; i++) l1.set(`k${i}`, entry('x'.repeat(1000)));
    expect(l1.bytes).toBeLessThanOrEqual(5_000);
    expect(l1.size).toBeLessThan(5);
  });

  it('deletes every entry carrying a tag and forgets replaced tags', () => {
    const l1 = new L1Layer(100, 1_000_000, () => undefined);
    l1.set('a', entry(1, ['user:1']));
    l1.set('b', entry(2, ['user:1', 'agent:7']));
    l1.set('c', entry(3, ['user:2']));
    l1.set('a', entry(4, ['user:3']));
    l1.deleteTagged(['user:1'], 'invalidated');
    expect([l1.get('a')?.value, l1.get('b'), l1.get('c')?.value]).toEqual([4, undefined, 3]);
  });
});
