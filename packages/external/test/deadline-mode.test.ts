import { setTimeout as sleep } from 'node:timers/promises';
import { manualClock } from '@perfkit/primitives/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { configsWithinBudget } from '../src/deadline-mode.js';
import { fakeAgentConfig, fakeAgentId } from '../src/fake/index.js';
import { systemClock } from '../src/index.js';
import { closeHarnesses, startHarness } from './support/client-harness.js';
import { MemoryCache } from './support/memory-cache.js';

const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);
beforeAll(() => {
  process.on('unhandledRejection', onUnhandled);
});
afterAll(() => {
  process.off('unhandledRejection', onUnhandled);
  expect(unhandled).toEqual([]);
});
afterEach(closeHarnesses);

const [fast, slow] = [fakeAgentId('fast'), fakeAgentId('slow')];
const KEY = 'elevenlabs:agent:';
/** The budget leaves the fast agent room on a loaded machine; the slow one is far beyond it. */
const BUDGET_MS = 1000;
const SLOW_MS = 3000;
const slowAgent = { [slow]: { latency: { kind: 'fixed' as const, ms: SLOW_MS } } };
const serverError = { kind: 'status' as const, status: 500 };

async function deadlineHarness(fakeOptions: Parameters<typeof startHarness>[0] = {}, clientOptions = {}) {
  const cache = new MemoryCache();
  const harness = await startHarness(fakeOptions, {
    cache,
    clock: systemClock,
    attemptTimeout: '10s',
    retry: { minDelay: '10ms' },
    freshFor: '1m',
    ...clientOptions,
  });
  return { ...harness, cache };
}

async function timed<T>(promise: Promise<T>): Promise<[T, number]> {
  const started = performance.now();
  const value = await promise;
  return [value, performance.now() - started];
}

describe('getAgentConfigs', () => {
  it('answers within the budget with what it has, and the background fetch makes the next answer fresh', async () => {
    const { client, fake, cache } = await deadlineHarness({ agentFaults: slowAgent });
    const [entries, elapsed] = await timed(client.getAgentConfigs([fast, slow], { budgetMs: BUDGET_MS }));
    expect(elapsed).toBeLessThan(SLOW_MS - 500);
    expect(entries).toEqual([
      { agentId: fast, status: 'fresh', config: fakeAgentConfig(fast), ageMs: 0 },
      { agentId: slow, status: 'pending', config: null },
    ]);
    await client.idle();
    expect(await cache.peek(KEY + slow)).toMatchObject({ value: fakeAgentConfig(slow) });
    const next = await client.getAgentConfigs([fast, slow], { budgetMs: BUDGET_MS });
    expect(next.map((e) => e.status)).toEqual(['fresh', 'fresh']);
    expect(fake.stats().byAgent).toEqual({ [fast]: 1, [slow]: 1 });
  });

  it('serves the last known config as stale while a slow refresh runs, then fresh', async () => {
    const { client, cache } = await deadlineHarness({ agentFaults: slowAgent });
    const old = { ...fakeAgentConfig(slow), name: 'old name' };
    cache.store(KEY + slow, old, 10 * 60_000);
    const [entries, elapsed] = await timed(client.getAgentConfigs([slow], { budgetMs: BUDGET_MS }));
    expect(elapsed).toBeLessThan(SLOW_MS - 500);
    expect(entries).toEqual([{ agentId: slow, status: 'stale', config: old, ageMs: expect.any(Number) }]);
    expect(entries[0]?.ageMs).toBeGreaterThanOrEqual(10 * 60_000);
    await client.idle();
    const [next] = await client.getAgentConfigs([slow], { budgetMs: BUDGET_MS });
    expect(next).toMatchObject({ status: 'fresh', config: fakeAgentConfig(slow) });
  });

  it('answers a config within staleWhileRevalidate stale at once and refreshes it in the background', async () => {
    const { client, cache, fake } = await deadlineHarness(
      { agentFaults: slowAgent },
      { freshFor: '1m', staleWhileRevalidate: '5m' },
    );
    const old = { ...fakeAgentConfig(slow), name: 'old name' };
    cache.store(KEY + slow, old, 2 * 60_000);

    const [entries, elapsed] = await timed(client.getAgentConfigs([slow], { budgetMs: 2 * SLOW_MS }));

    expect(elapsed).toBeLessThan(SLOW_MS - 500);
    expect(entries).toMatchObject([{ agentId: slow, status: 'stale', config: old }]);
    await client.idle();
    expect(fake.stats().byAgent).toEqual({ [slow]: 1 });
    const [next] = await client.getAgentConfigs([slow], { budgetMs: BUDGET_MS });
    expect(next).toMatchObject({ status: 'fresh', config: fakeAgentConfig(slow) });
  });

  it('does not abort a fetch that outlives the budget, nor count it as a failure', async () => {
    const { client, fake, events, logs } = await deadlineHarness({ agentFaults: slowAgent });
    const [entry] = await client.getAgentConfigs([slow], { budgetMs: BUDGET_MS });
    expect(entry?.status).toBe('pending');
    await client.idle();
    expect(fake.stats().byOutcome).toEqual({ '200': 1 });
    expect(events.attempt.map((e) => e.outcome)).toEqual(['success']);
    expect(events.failure).toEqual([]);
    expect(logs).toEqual([]);
  });

  it('answers unavailable with the error when the fetch fails within the budget and nothing is cached', async () => {
    const { client } = await deadlineHarness();
    const [entry] = await client.getAgentConfigs(['agent_missing'], { budgetMs: 5000 });
    expect(entry).toMatchObject({
      agentId: 'agent_missing',
      status: 'unavailable',
      config: null,
      error: { code: 'PERFKIT_EXT_NOT_FOUND' },
    });
  });

  it('answers stale with the error when the fetch fails within the budget and a config is cached', async () => {
    const { client, cache } = await deadlineHarness(
      { faults: { sequence: [{ fault: { kind: 'status', status: 500 }, times: 4 }] } },
      { retry: { minDelay: '1ms' } },
    );
    cache.store(KEY + fast, fakeAgentConfig(fast), 10 * 60_000);
    const [entry] = await client.getAgentConfigs([fast], { budgetMs: 5000 });
    expect(entry).toMatchObject({
      status: 'stale',
      config: fakeAgentConfig(fast),
      error: { code: 'PERFKIT_EXT_RETRIES_EXHAUSTED' },
    });
  });

  it('keeps retrying in the background after the budget, under its own deadline', async () => {
    const { client, cache, fake } = await deadlineHarness(
      { faults: { sequence: [{ fault: { kind: 'status', status: 503 }, times: 2 }] } },
      { retry: { minDelay: '150ms' } },
    );
    const [entry] = await client.getAgentConfigs([fast], { budgetMs: 50 });
    expect(entry?.status).toBe('pending');
    await client.idle();
    expect(fake.stats().requests).toBe(3);
    expect(await cache.peek(KEY + fast)).toMatchObject({ value: fakeAgentConfig(fast) });
  });

  it('remembers a fetch that failed after the budget: unavailable at once, not fetched again, until failureMemory has passed', async () => {
    let offsetMs = 0;
    const clock = { now: () => Date.now() + offsetMs, sleep: systemClock.sleep };
    const failing = {
      latency: { kind: 'fixed' as const, ms: 300 },
      rates: [{ fault: serverError, rate: 1 }],
    };
    const { client, fake, cache } = await deadlineHarness(
      { agentFaults: { [slow]: failing } },
      { clock, retry: { retries: 0 }, failureMemory: '1m' },
    );
    const [first] = await client.getAgentConfigs([slow], { budgetMs: 50 });
    expect(first?.status).toBe('pending');
    await client.idle();
    // Within a budget shorter than the fetch, only a remembered failure can answer unavailable.
    const [remembered] = await client.getAgentConfigs([slow], { budgetMs: 50 });
    expect(remembered).toMatchObject({
      status: 'unavailable',
      config: null,
      error: { code: 'PERFKIT_EXT_RETRIES_EXHAUSTED' },
    });
    // A config cached meanwhile but too old to answer at once goes out stale, with the same failure.
    cache.store(KEY + slow, fakeAgentConfig(slow), 10 * 60_000);
    const [stale] = await client.getAgentConfigs([slow], { budgetMs: 50 });
    expect(stale).toMatchObject({ status: 'stale', error: { code: 'PERFKIT_EXT_RETRIES_EXHAUSTED' } });
    expect(fake.stats().byAgent).toEqual({ [slow]: 1 });
    offsetMs = 61_000;
    const [again] = await client.getAgentConfigs([slow], { budgetMs: 50 });
    expect(again).toMatchObject({ status: 'stale' });
    expect(again?.error).toBeUndefined();
    await client.idle();
    expect(fake.stats().byAgent).toEqual({ [slow]: 2 });
  });

  it('remembers a failed refresh of a config within staleWhileRevalidate: stale with the error, not fetched again', async () => {
    const { client, fake, cache } = await deadlineHarness(
      { agentFaults: { [slow]: { rates: [{ fault: serverError, rate: 1 }] } } },
      { freshFor: '1m', staleWhileRevalidate: '5m', retry: { retries: 0 }, failureMemory: '1m' },
    );
    cache.store(KEY + slow, fakeAgentConfig(slow), 2 * 60_000);
    const [first] = await client.getAgentConfigs([slow], { budgetMs: BUDGET_MS });
    expect(first).toMatchObject({ status: 'stale' });
    expect(first?.error).toBeUndefined();
    await client.idle();
    const [second] = await client.getAgentConfigs([slow], { budgetMs: BUDGET_MS });
    expect(second).toMatchObject({ status: 'stale', error: { code: 'PERFKIT_EXT_RETRIES_EXHAUSTED' } });
    await client.idle();
    expect(fake.stats().byAgent).toEqual({ [slow]: 1 });
  });

  it('does not remember an open breaker, nor an abort, and forgets a failure once a fetch succeeds', async () => {
    const { client, fake } = await deadlineHarness(
      { faults: { sequence: [{ fault: serverError }] } },
      { cache: undefined, retry: { retries: 0 }, breaker: { failureThreshold: 1, cooldown: '200ms' } },
    );
    const [failed] = await client.getAgentConfigs([fast], { budgetMs: BUDGET_MS });
    const [shut] = await client.getAgentConfigs([slow], { budgetMs: BUDGET_MS });
    expect([failed?.error?.code, shut?.error?.code]).toEqual([
      'PERFKIT_EXT_RETRIES_EXHAUSTED',
      'PERFKIT_EXT_CIRCUIT_OPEN',
    ]);
    await sleep(250);
    // The breaker's answer was not remembered: the agent is fetched (and fresh) once it has closed.
    const [afterBreaker] = await client.getAgentConfigs([slow], { budgetMs: SLOW_MS + 2000 });
    expect(afterBreaker?.status).toBe('fresh');
    // A fetch that succeeds outside deadline mode forgets the remembered failure.
    await client.getAgent(fast);
    const [afterSuccess] = await client.getAgentConfigs([fast], { budgetMs: BUDGET_MS });
    expect(afterSuccess?.status).toBe('fresh');
    // A refresh that joins a caller's aborted getAgent ends ABORTED: no answer of ElevenLabs, not remembered.
    const caller = new AbortController();
    const aborted = client.getAgent(slow, { signal: caller.signal }).catch((error: Error) => error);
    caller.abort();
    await client.getAgentConfigs([slow], { budgetMs: 50 });
    expect(await aborted).toMatchObject({ code: 'PERFKIT_EXT_ABORTED' });
    await client.idle();
    const [afterAbort] = await client.getAgentConfigs([slow], { budgetMs: 50 });
    expect(afterAbort?.error).toBeUndefined();
    await client.idle();
    expect(fake.stats().byAgent[fast]).toBe(3);
  });

  it('lets a config written after the failure outdate it', async () => {
    const { client, fake, cache } = await deadlineHarness(
      { agentFaults: { [slow]: { rates: [{ fault: serverError, rate: 1 }] } } },
      { freshFor: '10ms', retry: { retries: 0 } },
    );
    const [failed] = await client.getAgentConfigs([slow], { budgetMs: BUDGET_MS });
    expect(failed?.status).toBe('unavailable');
    await sleep(50);
    // As another instance's fetch would leave it: younger than the failure, and already due for a refresh.
    cache.store(KEY + slow, fakeAgentConfig(slow), 15);
    const [entry] = await client.getAgentConfigs([slow], { budgetMs: BUDGET_MS });
    expect(entry).toMatchObject({ status: 'stale', config: fakeAgentConfig(slow) });
    expect(fake.stats().byAgent).toEqual({ [slow]: 2 });
  });

  it('with failureMemory 0, fetches a failing agent again on every answer', async () => {
    const failing = {
      latency: { kind: 'fixed' as const, ms: 300 },
      rates: [{ fault: serverError, rate: 1 }],
    };
    const { client, fake } = await deadlineHarness(
      { agentFaults: { [slow]: failing } },
      { retry: { retries: 0 }, failureMemory: 0 },
    );
    for (let i = 0; i < 2; i++) {
      const [entry] = await client.getAgentConfigs([slow], { budgetMs: 50 });
      expect(entry?.status).toBe('pending');
      await client.idle();
    }
    expect(fake.stats().byAgent).toEqual({ [slow]: 2 });
  });

  it('answers at once from the cache or unavailable while the breaker is open', async () => {
    const { client, cache, fake } = await deadlineHarness(
      { faults: { sequence: [{ fault: { kind: 'status', status: 503 } }] } },
      // Without the failure memory, which would answer the first agent's own 503 instead.
      { retry: { retries: 0 }, breaker: { failureThreshold: 1 }, failureMemory: 0 },
    );
    await client.getAgentConfigs([fast], { budgetMs: 5000 });
    expect(client.breakerState).toBe('open');
    cache.store(KEY + slow, fakeAgentConfig(slow), 10 * 60_000);
    const [entries, elapsed] = await timed(client.getAgentConfigs([fast, slow], { budgetMs: 5000 }));
    expect(elapsed).toBeLessThan(2500);
    expect(entries.map((e) => [e.status, e.error?.code])).toEqual([
      ['unavailable', 'PERFKIT_EXT_CIRCUIT_OPEN'],
      ['stale', 'PERFKIT_EXT_CIRCUIT_OPEN'],
    ]);
    expect(fake.stats().requests).toBe(1);
  });

  it('works without a cache: fresh, pending or unavailable', async () => {
    const { client } = await deadlineHarness({ agentFaults: slowAgent }, { cache: undefined });
    const entries = await client.getAgentConfigs([fast, slow, 'agent_missing'], { budgetMs: BUDGET_MS });
    expect(entries.map((e) => e.status)).toEqual(['fresh', 'pending', 'unavailable']);
    await client.idle();
  });

  it("answers a list the cache holds fresh without starting the budget's timer", async () => {
    let sleeps = 0;
    const countingClock = {
      now: systemClock.now,
      sleep: (ms: number, signal?: AbortSignal) => {
        sleeps++;
        return systemClock.sleep(ms, signal);
      },
    };
    const { client } = await deadlineHarness({}, { clock: countingClock });
    await client.getAgentConfigs([fast], { budgetMs: BUDGET_MS });
    await client.idle();
    sleeps = 0;

    const entries = await client.getAgentConfigs([fast], { budgetMs: BUDGET_MS });

    expect(entries).toMatchObject([{ agentId: fast, status: 'fresh', config: fakeAgentConfig(fast) }]);
    expect(sleeps).toBe(0);
  });

  it('answers a list that peekLocal holds whole without an asynchronous peek, and peeks only the rest', async () => {
    const peeked: string[] = [];
    const countingCache = new (class extends MemoryCache {
      override async peek<T>(key: string) {
        peeked.push(key);
        return super.peek<T>(key);
      }
    })();
    const { client } = await deadlineHarness({}, { cache: countingCache });
    countingCache.store(KEY + fast, fakeAgentConfig(fast), 0);

    const whole = await client.getAgentConfigs([fast], { budgetMs: BUDGET_MS });
    const part = await client.getAgentConfigs([fast, slow], { budgetMs: BUDGET_MS });

    expect(whole).toMatchObject([{ agentId: fast, status: 'fresh', config: fakeAgentConfig(fast) }]);
    expect(part.map((e) => e.status)).toEqual(['fresh', 'fresh']);
    expect(peeked).toEqual([KEY + slow]);
    await client.idle();
  });

  it('bounds a cache that answers slowly by the budget', async () => {
    const slowCache = new (class extends MemoryCache {
      override async peek<T>(key: string) {
        await new Promise((resolve) => setTimeout(resolve, SLOW_MS));
        return super.peek<T>(key);
      }
    })();
    const { client } = await deadlineHarness({}, { cache: slowCache });

    const [entries, elapsed] = await timed(client.getAgentConfigs([fast], { budgetMs: BUDGET_MS }));

    expect(elapsed).toBeLessThan(SLOW_MS - 500);
    expect(entries).toEqual([{ agentId: fast, status: 'pending', config: null }]);
    await client.idle();
  });

  it('rejects a budget that is not a duration, or longer than a timer keeps, as a bad argument', async () => {
    const { client } = await deadlineHarness();
    const badArgument = expect.objectContaining({ code: 'PERFKIT_EXT_INVALID_ARGUMENT', option: 'budgetMs' });
    expect(() => client.getAgentConfigs([fast], { budgetMs: -1 })).toThrow(/budgetMs must be/);
    expect(() => client.getAgentConfigs([fast], { budgetMs: -1 })).toThrow(badArgument);
    expect(() => client.getAgentConfigs([fast], undefined as never)).toThrow(/budgetMs must be/);
    // Past 2^31 − 1 ms the budget's timer would fire after 1 ms: every fetch answered `pending`.
    expect(() => client.getAgentConfigs([fast], { budgetMs: 2 ** 31 })).toThrow(badArgument);
  });
});

describe('the budget with many agents', () => {
  it('answers when the budget is spent however many fetches are left to start, and starts them after', async () => {
    const clock = manualClock();
    const started: string[] = [];
    const entries = await configsWithinBudget(
      Array.from({ length: 500 }, (_, i) => `agent_${i}`),
      100,
      {
        peek: async () => undefined,
        // Starting a fetch costs CPU: 1 ms each here, as thousands at once cost hundreds of ms.
        refresh: (agentId) => {
          started.push(agentId);
          clock.advance(1);
          return new Promise(() => {});
        },
        freshForMs: 60_000,
        staleWhileRevalidateMs: 0,
        clock,
      },
    );
    expect(new Set(entries.map((entry) => entry.status))).toEqual(new Set(['pending']));
    expect(started.length).toBeLessThanOrEqual(101); // 500 were started before the answer
    await new Promise((resolve) => setImmediate(resolve));
    expect(started).toHaveLength(500);
  });
});
