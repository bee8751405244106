import { afterEach, describe, expect, it } from 'vitest';
import { resolveClientOptions } from '../src/client-options.js';
import { fakeAgentConfig, fakeAgentId } from '../src/fake/index.js';
import { ElevenLabsClient, type ElevenLabsClientOptions } from '../src/index.js';
import { closeHarnesses, rejectionOf, startHarness } from './support/client-harness.js';

afterEach(closeHarnesses);

const ids = (count: number, label = 'agent') =>
  Array.from({ length: count }, (_, i) => fakeAgentId(`${label}-${i}`));

describe('getAgents', () => {
  it('keeps at most `concurrency` requests in flight', async () => {
    const { client, fake } = await startHarness({ latency: { kind: 'fixed', ms: 150 } }, { concurrency: 4 });
    const results = await client.getAgents(ids(12));
    expect(results.every((r) => r.ok)).toBe(true);
    expect(fake.stats().maxInFlight).toBe(4);
  });

  it('sends one request per distinct id, however often it is asked for', async () => {
    const { client, fake } = await startHarness({ latency: { kind: 'fixed', ms: 30 } });
    const [a, b] = ids(2);
    const [results, single] = await Promise.all([
      client.getAgents([a, a, b, a] as string[]),
      client.getAgent(a as string),
    ]);
    expect(results.map((r) => r.ok && r.config.agent_id)).toEqual([a, a, b, a]);
    expect(single).toEqual(fakeAgentConfig(a as string));
    expect(fake.stats().byAgent).toEqual({ [a as string]: 1, [b as string]: 1 });
  });

  it('reports each failure in its own result and the others as successes', async () => {
    const [good, bad] = ids(2);
    const { client } = await startHarness({
      agentFaults: { [bad as string]: { sequence: [{ fault: { kind: 'status', status: 404 } }] } },
    });
    const results = await client.getAgents([good, bad] as string[]);
    expect(results[0]).toMatchObject({ agentId: good, ok: true });
    expect(results[1]).toMatchObject({ agentId: bad, ok: false, error: { code: 'PERFKIT_EXT_NOT_FOUND' } });
  });

  it('lowers its concurrency to the server maximum on 429 concurrent_limit_exceeded and stays there', async () => {
    const { client, fake, events } = await startHarness(
      { latency: { kind: 'fixed', ms: 30 }, concurrencyLimit: 3 },
      { concurrency: 12, retry: { retries: 10 } },
    );
    const results = await client.getAgents(ids(36));
    expect(results.every((r) => r.ok)).toBe(true);
    expect(events.concurrency).toEqual([{ limit: 3 }]);
    expect(client.concurrency).toBe(3);
    // Only the first burst, sent before the limit was known, is rejected.
    expect(fake.stats().byOutcome['429']).toBeLessThanOrEqual(9);
  });

  it('halves its concurrency once per burst when the server gives no maximum, then climbs back', async () => {
    const rejections = {
      fault: { kind: 'rate_limit' as const, code: 'concurrent_limit_exceeded' as const },
      times: 4,
    };
    const { client, events } = await startHarness(
      { latency: { kind: 'fixed', ms: 20 }, faults: { sequence: [rejections] } },
      { concurrency: 8 },
    );
    // Without a configured limit the fake states no maximum, so the client has to find one.
    const results = await client.getAgents(ids(40));
    expect(results.every((r) => r.ok)).toBe(true);
    expect(events.concurrency.map((e) => e.limit)).toEqual([4, 5, 6, 7, 8]);
  });
});

describe('single-flight and abort', () => {
  it('keeps a shared request going when one of its callers aborts', async () => {
    const { client, fake } = await startHarness({ latency: { kind: 'fixed', ms: 100 } });
    const [id] = ids(1) as [string];
    const controller = new AbortController();
    const aborted = rejectionOf(client.getAgent(id, { signal: controller.signal }));
    const kept = client.getAgent(id);
    controller.abort();
    expect(await aborted).toMatchObject({ code: 'PERFKIT_EXT_ABORTED' });
    expect(await kept).toEqual(fakeAgentConfig(id));
    expect(fake.stats().requests).toBe(1);
  });

  it('aborts the request when its only caller aborts', async () => {
    const { client, fake, logs } = await startHarness({
      faults: { sequence: [{ fault: { kind: 'hang' } }] },
    });
    const controller = new AbortController();
    const pending = rejectionOf(client.getAgent(ids(1)[0] as string, { signal: controller.signal }));
    while (fake.stats().inFlight === 0) await new Promise((r) => setTimeout(r, 5));
    controller.abort();
    expect(await pending).toMatchObject({ code: 'PERFKIT_EXT_ABORTED' });
    while (fake.stats().inFlight > 0) await new Promise((r) => setTimeout(r, 5));
    expect(logs).toEqual([]);
  });
});

describe('listAgents', () => {
  const listed = ids(5, 'listed');

  it('iterates over every page through the cursors', async () => {
    const { client } = await startHarness({ agents: listed });
    const pages = [];
    for await (const page of client.listAgents({ pageSize: 2 }))
      pages.push(page.agents.map((a) => a.agent_id));
    expect(pages).toEqual([listed.slice(0, 2), listed.slice(2, 4), listed.slice(4)]);
  });

  it('retries a failed page and passes the search on', async () => {
    const agents = [...listed, { agent_id: fakeAgentId('x'), name: 'Night shift closer' }];
    const { client, clock } = await startHarness({
      agents,
      faults: { sequence: [{ fault: { kind: 'status', status: 502 } }] },
    });
    const names = [];
    for await (const page of client.listAgents({ search: 'night' }))
      names.push(...page.agents.map((a) => a.name));
    expect(names).toEqual(['Night shift closer']);
    expect(clock.sleeps).toEqual([1000]);
  });

  it("refuses the agent ids '.' and '..', which the URL would resolve to other endpoints, before sending", async () => {
    const { client, fake } = await startHarness({ agents: listed });
    for (const id of ['.', '..']) {
      expect(() => client.getAgent(id)).toThrow(
        expect.objectContaining({ code: 'PERFKIT_EXT_INVALID_ARGUMENT' }),
      );
    }
    expect(fake.stats().requests).toBe(0);
  });

  it("refuses a call's deadline of 0 or past what a timer keeps before sending anything", async () => {
    const { client, fake } = await startHarness({ agents: listed });
    for (const deadline of [0, '30d'] as const) {
      const error = await rejectionOf(Promise.resolve().then(() => client.getAgent('agent_1', { deadline })));
      expect(error).toMatchObject({ code: 'PERFKIT_EXT_INVALID_ARGUMENT', option: 'deadline' });
    }
    expect(fake.stats().requests).toBe(0);
  });

  it('refuses a page size outside 1..100 before sending anything', async () => {
    const { client, fake } = await startHarness({ agents: listed });
    const error = await rejectionOf(client.listAgents({ pageSize: 101 }).next());
    expect(error).toMatchObject({
      code: 'PERFKIT_EXT_INVALID_ARGUMENT',
      message: expect.stringMatching(/pageSize/),
    });
    expect(fake.stats().requests).toBe(0);
  });
});

describe('circuit breaker', () => {
  const failing = (times: number) => ({
    faults: { sequence: [{ fault: { kind: 'status' as const, status: 503 }, times }] },
  });

  it('opens after consecutive failures and then fails fast without a request', async () => {
    const { client, fake, events } = await startHarness(failing(3), {
      retry: { retries: 0 },
      breaker: { failureThreshold: 3 },
    });
    const [id] = ids(1) as [string];
    for (let i = 0; i < 3; i++) await rejectionOf(client.getAgent(id));
    expect(events.breaker).toEqual([{ state: 'open' }]);
    const error = await rejectionOf(client.getAgent(id));
    expect(error).toMatchObject({ code: 'PERFKIT_EXT_CIRCUIT_OPEN' });
    expect(fake.stats().requests).toBe(3);
  });

  it('lets one probe through after the cool-down and closes when it succeeds', async () => {
    const { client, clock, events } = await startHarness(failing(2), {
      retry: { retries: 0 },
      breaker: { failureThreshold: 2, cooldown: '30s' },
    });
    const [id] = ids(1) as [string];
    for (let i = 0; i < 2; i++) await rejectionOf(client.getAgent(id));
    clock.advance(30_000);
    expect(await client.getAgent(id)).toEqual(fakeAgentConfig(id));
    expect(events.breaker.map((e) => e.state)).toEqual(['open', 'half_open', 'closed']);
    expect(client.breakerState).toBe('closed');
  });

  it('opens again when the half-open probe fails', async () => {
    const { client, clock, events, fake } = await startHarness(failing(3), {
      retry: { retries: 0 },
      breaker: { failureThreshold: 2, cooldown: '30s' },
    });
    const [id] = ids(1) as [string];
    for (let i = 0; i < 2; i++) await rejectionOf(client.getAgent(id));
    clock.advance(30_000);
    await rejectionOf(client.getAgent(id));
    expect(events.breaker.map((e) => e.state)).toEqual(['open', 'half_open', 'open']);
    expect(await rejectionOf(client.getAgent(id))).toMatchObject({ code: 'PERFKIT_EXT_CIRCUIT_OPEN' });
    expect(fake.stats().requests).toBe(3);
  });

  it('does not count a slow success or a 404 as a failure', async () => {
    const [slow, missing] = ids(2);
    const { client, events } = await startHarness(
      { agentFaults: { [slow as string]: { latency: { kind: 'fixed', ms: 300 } } } },
      { retry: { retries: 0 }, breaker: { failureThreshold: 1 } },
    );
    await client.getAgent(slow as string);
    await rejectionOf(client.getAgent('agent_missing'));
    await client.getAgent(missing as string);
    expect(events.breaker).toEqual([]);
  });
});

describe('options', () => {
  it.each<[ElevenLabsClientOptions, RegExp]>([
    [{ apiKey: '' }, /apiKey is required/],
    [{ apiKey: 'k', concurrency: 0 }, /concurrency must be an integer >= 1, got 0/],
    [{ apiKey: 'k', attemptTimeout: 'soon' as '1s' }, /attemptTimeout must be a duration/],
    [{ apiKey: 'k', baseUrl: 'not a url' }, /baseUrl must be an absolute http\(s\) URL/],
    [{ apiKey: 'k', baseUrl: 'ftp://example.com' }, /baseUrl must be an absolute http\(s\) URL/],
    [{ apiKey: 'k', baseUrl: 'https://user:secret@example.com' }, /baseUrl must not carry credentials/],
    [{ apiKey: 'k', retry: { retries: -1 } }, /retry\.retries must be an integer >= 0/],
    [{ apiKey: 'k', retry: { methods: 'GET' as never } }, /retry\.methods must be an array of HTTP methods/],
    // A time limit of 0 would fail every call before it is sent.
    [{ apiKey: 'k', attemptTimeout: 0 }, /attemptTimeout must be longer than 0 ms, got 0/],
    [{ apiKey: 'k', deadline: '0s' }, /deadline must be longer than 0 ms/],
    // Past 2^31 − 1 ms a Node.js timer fires after 1 ms: every call would fail at once.
    [{ apiKey: 'k', deadline: '30d' }, /deadline must be at most 2147483647 ms/],
    [{ apiKey: 'k', backgroundDeadline: '30d' }, /backgroundDeadline must be at most 2147483647 ms/],
    [{ apiKey: 'k', retry: { maxDelay: '30d' } }, /retry\.maxDelay must be at most 2147483647 ms/],
  ])('rejects %o with a message naming the option', (options, message) => {
    expect(() => new ElevenLabsClient(options)).toThrow(message);
    expect(() => new ElevenLabsClient(options)).toThrow(
      expect.objectContaining({ code: 'PERFKIT_EXT_INVALID_OPTION' }),
    );
  });

  it('accepts durations as strings', async () => {
    const { client, clock } = await startHarness(
      { faults: { sequence: [{ fault: { kind: 'status', status: 500 } }] } },
      { retry: { minDelay: '1.5s' } },
    );
    await client.getAgent(ids(1)[0] as string);
    expect(clock.sleeps).toEqual([1500]);
  });

  it('reads durations with the grammar every perfkit package shares: bare ms, days, white space', () => {
    const resolved = resolveClientOptions({
      apiKey: 'k',
      attemptTimeout: '1500',
      cacheTtl: '1d',
      retry: { minDelay: '2 s' },
    });
    expect(resolved).toMatchObject({ attemptTimeoutMs: 1500, cacheTtlMs: 86_400_000 });
    // A TTL arms no timer: a config may be kept for a month.
    expect(resolveClientOptions({ apiKey: 'k', cacheTtl: '30d' }).cacheTtlMs).toBe(30 * 86_400_000);
    expect(resolved.retry.minDelayMs).toBe(2000);
  });
});
