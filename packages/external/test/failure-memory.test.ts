import { describe, expect, it } from 'vitest';
import { FailureMemory } from '../src/failure-memory.js';
import { ElevenLabsHttpError } from '../src/index.js';

const failure = new ElevenLabsHttpError('HTTP 500', { status: 500 });

function memoryAt(ttlMs: number) {
  const clock = { nowMs: 1_000_000 };
  return { clock, memory: new FailureMemory(ttlMs, () => clock.nowMs) };
}

describe('FailureMemory', () => {
  it('recalls a failure for ttlMs, then forgets it', () => {
    const { clock, memory } = memoryAt(30_000);
    memory.remember('a', failure);
    clock.nowMs += 29_999;
    expect(memory.recall('a')).toBe(failure);
    clock.nowMs += 1;
    expect(memory.recall('a')).toBeUndefined();
  });

  it('forgets a failure when the clock steps back, as its age is then unknown', () => {
    const { clock, memory } = memoryAt(30_000);
    memory.remember('a', failure);
    clock.nowMs -= 3_600_000;
    expect(memory.recall('a')).toBeUndefined();
  });

  it('does not recall a failure older than the config at hand', () => {
    const { clock, memory } = memoryAt(30_000);
    memory.remember('a', failure);
    expect(memory.recall('a', clock.nowMs - 1)).toBe(failure);
    expect(memory.recall('a', clock.nowMs + 1)).toBeUndefined();
  });

  it('remembers nothing with a ttl of 0, and at most 10,000 agents, the oldest forgotten first', () => {
    expect(memoryAt(0).memory.recall('a')).toBeUndefined();
    const { memory } = memoryAt(30_000);
    for (let i = 0; i <= 10_000; i++) memory.remember(`agent_${i}`, failure);
    expect(memory.recall('agent_0')).toBeUndefined();
    expect(memory.recall('agent_1')).toBe(failure);
    expect(memory.recall('agent_10000')).toBe(failure);
  });
});
