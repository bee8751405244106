import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { resolveClientOptions } from '../src/client-options.js';
import type { Fault } from '../src/fake/index.js';
import { fakeAgentConfig, fakeAgentId, startFakeElevenLabs } from '../src/fake/index.js';
import { ElevenLabsClient, systemClock } from '../src/index.js';
import { closeHarnesses, rejectionOf, startHarness } from './support/client-harness.js';

afterEach(closeHarnesses);

const agent = fakeAgentId('matrix');
const once = (fault: Fault, times = 1) => ({ faults: { sequence: [{ fault, times }] } });

describe('retryable failures', () => {
  it.each([408, 500, 502, 503, 504])('retries a %i after 1 s and returns the config', async (status) => {
    const { client, clock, events } = await startHarness(once({ kind: 'status', status }));
    expect(await client.getAgent(agent)).toEqual(fakeAgentConfig(agent));
    expect(clock.sleeps).toEqual([1000]);
    expect(events.attempt.map((e) => [e.attempt, e.outcome, e.status])).toEqual([
      [1, 'retry', status],
      [2, 'success', 200],
    ]);
  });

  it.each(['rate_limit_exceeded', 'concurrent_limit_exceeded'] as const)(
    'retries a 429 %s without Retry-After on the backoff schedule',
    async (code) => {
      const { client, clock, events } = await startHarness(once({ kind: 'rate_limit', code }));
      await client.getAgent(agent);
      expect(clock.sleeps).toEqual([1000]);
      expect(events.attempt[0]).toMatchObject({ status: 429, outcome: 'retry', retryInMs: 1000 });
    },
  );

  it.each([
    ['rate_limit_exceeded', undefined, [1000, 2000, 4000]],
    ['rate_limit_exceeded', 2, [2000, 2000, 2000]],
    ['concurrent_limit_exceeded', undefined, [1000, 2000, 4000]],
    ['concurrent_limit_exceeded', 1, [1000, 1000, 1000]],
  ] as const)(
    'rides out a burst of three 429 %s (Retry-After: %s)',
    async (code, retryAfterSeconds, waits) => {
      const { client, clock } = await startHarness(once({ kind: 'rate_limit', code, retryAfterSeconds }, 3));
      expect(await client.getAgent(agent)).toEqual(fakeAgentConfig(agent));
      expect(clock.sleeps).toEqual(waits);
    },
  );

  it('waits what Retry-After says in seconds instead of the backoff', async () => {
    const { client, clock } = await startHarness(once({ kind: 'rate_limit', retryAfterSeconds: 3 }));
    await client.getAgent(agent);
    expect(clock.sleeps).toEqual([3000]);
  });

  it('waits until the HTTP date Retry-After gives', async () => {
    const { client, clock } = await startHarness(
      once({ kind: 'rate_limit', retryAfterSeconds: 5, retryAfterFormat: 'http-date' }),
    );
    const before = Date.now();
    clock.advance(before - clock.now());
    await client.getAgent(agent);
    // The server writes now + 5 s, truncated to the second; the client reads it against `before`.
    expect(clock.sleeps[0]).toBeGreaterThan(4000);
    expect(clock.sleeps[0]).toBeLessThanOrEqual(5000 + (Date.now() - before));
  });

  it('gives up at once when Retry-After asks for more than the cap', async () => {
    const { client, clock, fake } = await startHarness(once({ kind: 'rate_limit', retryAfterSeconds: 60 }), {
      retry: { maxRetryAfter: '30s' },
    });
    const error = await rejectionOf(client.getAgent(agent));
    expect(error).toMatchObject({
      code: 'PERFKIT_EXT_RATE_LIMITED',
      status: 429,
      retryAfterMs: 60_000,
      attempts: 1,
    });
    expect(clock.sleeps).toEqual([]);
    expect(fake.stats().requests).toBe(1);
  });

  it('retries an attempt that hangs once the attempt timeout passes', async () => {
    const { client, events } = await startHarness(once({ kind: 'hang' }), { attemptTimeout: '200ms' });
    expect(await client.getAgent(agent)).toEqual(fakeAgentConfig(agent));
    expect(events.attempt[0]).toMatchObject({ errorCode: 'PERFKIT_EXT_ATTEMPT_TIMEOUT', outcome: 'retry' });
    expect(events.attempt[0]?.durationMs).toBeGreaterThanOrEqual(190);
  });

  it('retries attempts that all hang on the 1 s, 2 s, 4 s schedule, then gives up with the timeout as cause', async () => {
    const { client, clock, fake } = await startHarness(once({ kind: 'hang' }, 4), {
      attemptTimeout: '100ms',
    });
    const error = await rejectionOf(client.getAgent(agent));
    expect(error).toMatchObject({ code: 'PERFKIT_EXT_RETRIES_EXHAUSTED', attempts: 4 });
    expect((error.cause as { code: string }).code).toBe('PERFKIT_EXT_ATTEMPT_TIMEOUT');
    expect(clock.sleeps).toEqual([1000, 2000, 4000]);
    expect(fake.stats().requests).toBe(4);
  });

  it('gives a call room by default for the whole schedule when every attempt times out', () => {
    const { attemptTimeoutMs, deadlineMs, retry } = resolveClientOptions({ apiKey: 'key' });
    const waits = [0, 1, 2].map((n) => retry.minDelayMs * retry.factor ** n);
    expect(waits).toEqual([1000, 2000, 4000]);
    expect((retry.retries + 1) * attemptTimeoutMs + waits.reduce((a, b) => a + b)).toBeLessThanOrEqual(
      deadlineMs,
    );
  });

  it('times out an attempt whose body stalls after the headers', async () => {
    const { client, events } = await startHarness(once({ kind: 'stall_body' }), { attemptTimeout: '200ms' });
    expect(await client.getAgent(agent)).toEqual(fakeAgentConfig(agent));
    expect(events.attempt[0]).toMatchObject({
      errorCode: 'PERFKIT_EXT_ATTEMPT_TIMEOUT',
      status: 200,
      outcome: 'retry',
    });
  });

  it('retries a reset connection as a network error', async () => {
    const { client, events } = await startHarness(once({ kind: 'reset' }));
    await client.getAgent(agent);
    expect(events.attempt[0]).toMatchObject({ errorCode: 'PERFKIT_EXT_NETWORK', outcome: 'retry' });
  });

  it('retries a refused connection as a network error until it gives up', async () => {
    const { client, fake, clock } = await startHarness();
    await fake.close();
    const error = await rejectionOf(client.getAgent(agent));
    expect(error).toMatchObject({ code: 'PERFKIT_EXT_RETRIES_EXHAUSTED', attempts: 4 });
    expect((error.cause as { code: string }).code).toBe('PERFKIT_EXT_NETWORK');
    expect(clock.sleeps).toEqual([1000, 2000, 4000]);
  });

  it('retries a 200 whose JSON is cut', async () => {
    const { client, events } = await startHarness(once({ kind: 'malformed_json' }));
    await client.getAgent(agent);
    expect(events.attempt[0]).toMatchObject({
      errorCode: 'PERFKIT_EXT_MALFORMED_RESPONSE',
      status: 200,
      outcome: 'retry',
    });
  });

  it.each(['null', '42', '"config"', '[]'])(
    'never answers a 200 whose JSON is %s, not an object',
    async (text) => {
      // A server no fake fault covers: valid JSON, but not an agent config.
      const server = createServer((_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' }).end(text);
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      try {
        const { port } = server.address() as AddressInfo;
        const { client, events } = await startHarness({}, { baseUrl: `http://127.0.0.1:${port}` });
        const error = await rejectionOf(client.getAgent(agent));
        expect(error).toMatchObject({ code: 'PERFKIT_EXT_RETRIES_EXHAUSTED', attempts: 4 });
        expect(events.attempt.map((e) => e.errorCode)).toEqual(
          Array(4).fill('PERFKIT_EXT_MALFORMED_RESPONSE'),
        );
      } finally {
        await new Promise((resolve) => server.close(resolve));
      }
    },
  );
});

describe('non-retryable failures', () => {
  it.each([
    [400, 'PERFKIT_EXT_BAD_REQUEST'],
    [403, 'PERFKIT_EXT_FORBIDDEN'],
    [404, 'PERFKIT_EXT_NOT_FOUND'],
    [422, 'PERFKIT_EXT_UNPROCESSABLE'],
  ])('fails a %i at once with %s', async (status, code) => {
    const { client, fake, clock } = await startHarness(once({ kind: 'status', status }));
    const error = await rejectionOf(client.getAgent(agent));
    expect(error).toMatchObject({
      code,
      status,
      attempts: 1,
      requestId: expect.stringMatching(/^req_fake_/),
    });
    expect(fake.stats().requests).toBe(1);
    expect(clock.sleeps).toEqual([]);
  });

  it('fails an unknown agent with PERFKIT_EXT_NOT_FOUND and ElevenLabs code', async () => {
    const { client } = await startHarness();
    const error = await rejectionOf(client.getAgent('agent_unknown'));
    expect(error).toMatchObject({ code: 'PERFKIT_EXT_NOT_FOUND', apiCode: 'agent_not_found', status: 404 });
  });

  it('fails a wrong API key with PERFKIT_EXT_UNAUTHORIZED', async () => {
    const { client, fake } = await startHarness();
    fake.configure({ apiKey: 'another-key' });
    const error = await rejectionOf(client.getAgent(agent));
    expect(error).toMatchObject({
      code: 'PERFKIT_EXT_UNAUTHORIZED',
      apiCode: 'invalid_api_key',
      attempts: 1,
    });
  });
});

describe('backoff schedule and deadline', () => {
  it('gives up after 3 retries waiting 1 s, 2 s and 4 s, with the last failure as cause', async () => {
    const { client, clock, events } = await startHarness(once({ kind: 'status', status: 503 }, 4));
    const error = await rejectionOf(client.getAgent(agent));
    expect(error).toMatchObject({
      name: 'RetriesExhaustedError',
      code: 'PERFKIT_EXT_RETRIES_EXHAUSTED',
      status: 503,
      attempts: 4,
    });
    expect(clock.sleeps).toEqual([1000, 2000, 4000]);
    expect(events.attempt.map((e) => e.outcome)).toEqual(['retry', 'retry', 'retry', 'failure']);
  });

  it('follows a configured schedule', async () => {
    const { client, clock } = await startHarness(once({ kind: 'status', status: 500 }, 5), {
      retry: { retries: 2, minDelay: 100, factor: 3 },
    });
    await rejectionOf(client.getAgent(agent));
    expect(clock.sleeps).toEqual([100, 300]);
  });

  it('draws jittered waits between half and all of the backoff', async () => {
    const { client, clock } = await startHarness(once({ kind: 'status', status: 500 }, 4), {
      retry: { jitter: true },
      random: () => 0,
    });
    await rejectionOf(client.getAgent(agent));
    expect(clock.sleeps).toEqual([500, 1000, 2000]);
  });

  it('does not start a retry whose wait would pass the deadline', async () => {
    const { client, clock, fake } = await startHarness(once({ kind: 'status', status: 503 }, 4), {
      deadline: '2500ms',
    });
    const error = await rejectionOf(client.getAgent(agent));
    expect(error).toMatchObject({ code: 'PERFKIT_EXT_DEADLINE_EXCEEDED', status: 503, attempts: 2 });
    expect(clock.sleeps).toEqual([1000]);
    expect(fake.stats().requests).toBe(2);
  });

  it('ends a call at its overall deadline even while an attempt hangs', async () => {
    const { client } = await startHarness(once({ kind: 'hang' }), {
      attemptTimeout: '10s',
      deadline: '300ms',
    });
    const started = performance.now();
    const error = await rejectionOf(client.getAgent(agent));
    expect(error).toMatchObject({ code: 'PERFKIT_EXT_DEADLINE_EXCEEDED', attempts: 1 });
    expect(performance.now() - started).toBeLessThan(5000);
  });

  it("stops waiting for a backoff as soon as the caller's signal aborts", async () => {
    const { client, fake, logs, events } = await startHarness(once({ kind: 'status', status: 503 }), {
      clock: systemClock,
      retry: { minDelay: '20s' },
    });
    const controller = new AbortController();
    const pending = rejectionOf(client.getAgent(agent, { signal: controller.signal }));
    while (fake.stats().requests === 0 || events.attempt.length === 0)
      await new Promise((r) => setTimeout(r, 5));
    const started = performance.now();
    controller.abort(new Error('user went away'));
    const error = await pending;
    expect(performance.now() - started).toBeLessThan(3000);
    expect(error).toMatchObject({ code: 'PERFKIT_EXT_ABORTED' });
    expect(fake.stats().requests).toBe(1);
    expect(logs).toEqual([]);
  });
});

describe('answers it does not trust', () => {
  it('refuses a redirect at once, so the API key never reaches the other host', async () => {
    // Same key: had the client followed, the other host would have answered 200.
    const elsewhere = await startFakeElevenLabs({ latency: { kind: 'none' } });
    try {
      const { client, fake } = await startHarness(once({ kind: 'redirect', location: elsewhere.url }));
      const error = await rejectionOf(client.getAgent(agent));
      expect(error).toMatchObject({
        code: 'PERFKIT_EXT_HTTP_ERROR',
        status: 307,
        attempts: 1,
        retryable: false,
        message: 'refused to follow a redirect (HTTP 307)',
      });
      expect(fake.stats().requests).toBe(1);
      expect(elsewhere.stats().requests).toBe(0);
    } finally {
      await elsewhere.close();
    }
  });

  it('stops reading a body past maxResponseBytes, closes the connection and does not retry', async () => {
    const { client, fake } = await startHarness(once({ kind: 'long_prompt', bytes: 32 * 1024 * 1024 }), {
      maxResponseBytes: 64 * 1024,
    });
    const error = await rejectionOf(client.getAgent(agent));
    expect(error).toMatchObject({ code: 'PERFKIT_EXT_RESPONSE_TOO_LARGE', status: 200, attempts: 1 });
    await vi.waitFor(() => expect(fake.stats().clientAborts).toBe(1));
    expect(await client.getAgent(agent)).toEqual(fakeAgentConfig(agent));
  });

  it('reads a long config whole while it stays within maxResponseBytes', async () => {
    const { client } = await startHarness(once({ kind: 'long_prompt', bytes: 1_000_000 }));
    const config = await client.getAgent(agent);
    expect(config.conversation_config.agent?.prompt?.prompt?.length).toBeGreaterThan(990_000);
  });

  it('rejects a maxResponseBytes that is not a positive integer', () => {
    expect(() => new ElevenLabsClient({ apiKey: 'k', maxResponseBytes: 0 })).toThrow(
      /maxResponseBytes must be an integer >= 1, got 0/,
    );
  });
});

describe('reporting', () => {
  it('logs each final failure once with its context and never the API key', async () => {
    const apiKey = 'sk_super_secret_key_123';
    const { client, logs, events } = await startHarness(
      { apiKey, ...once({ kind: 'status', status: 503 }, 4) },
      { apiKey },
    );
    const error = await rejectionOf(client.getAgent(agent));
    expect(logs).toEqual([
      {
        level: 'error',
        message: 'ElevenLabs call failed',
        context: expect.objectContaining({
          agentId: agent,
          operation: 'getAgent',
          route: '/v1/convai/agents/:agent_id',
          code: 'PERFKIT_EXT_RETRIES_EXHAUSTED',
          status: 503,
          attempts: 4,
          requestId: expect.stringMatching(/^req_fake_/),
        }),
      },
    ]);
    expect(events.failure).toEqual([
      {
        operation: 'getAgent',
        route: '/v1/convai/agents/:agent_id',
        code: 'PERFKIT_EXT_RETRIES_EXHAUSTED',
        status: 503,
        attempts: 4,
      },
    ]);
    const everything = [
      inspect(error, { depth: 10 }),
      JSON.stringify(logs),
      JSON.stringify(events),
      String(error.stack),
    ];
    for (const text of everything) expect(text).not.toContain(apiKey);
  });

  it('names the route template, never the agent id, in attempt events', async () => {
    const { client, events } = await startHarness();
    await client.getAgent(agent);
    expect(events.attempt).toEqual([
      {
        operation: 'getAgent',
        route: '/v1/convai/agents/:agent_id',
        method: 'GET',
        attempt: 1,
        durationMs: expect.any(Number),
        status: 200,
        outcome: 'success',
      },
    ]);
  });
});
