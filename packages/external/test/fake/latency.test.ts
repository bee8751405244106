import { seededRandom } from '@perfkit/primitives';
import { describe, expect, it } from 'vitest';
import { drawLatency } from '../../src/fake/latency.js';

describe('drawLatency', () => {
  it('draws a log-normal whose median and p99 match the specification', () => {
    const random = seededRandom(1);
    const draws = Array.from({ length: 20_000 }, () =>
      drawLatency({ kind: 'lognormal', medianMs: 300, p99Ms: 1500 }, random),
    ).sort((a, b) => a - b);
    expect(draws[10_000]).toBeGreaterThan(280);
    expect(draws[10_000]).toBeLessThan(320);
    expect(draws[19_800]).toBeGreaterThan(1300);
    expect(draws[19_800]).toBeLessThan(1700);
  });

  it('draws the same sequence from the same seed', () => {
    const spec = { kind: 'lognormal', medianMs: 300, p99Ms: 1500 } as const;
    const a = seededRandom(9);
    const b = seededRandom(9);
    expect(Array.from({ length: 5 }, () => drawLatency(spec, a))).toEqual(
      Array.from({ length: 5 }, () => drawLatency(spec, b)),
    );
  });

  it('returns zero for none and the value for fixed', () => {
    expect(drawLatency({ kind: 'none' }, Math.random)).toBe(0);
    expect(drawLatency({ kind: 'fixed', ms: 42 }, Math.random)).toBe(42);
  });
});
