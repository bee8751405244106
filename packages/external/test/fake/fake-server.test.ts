import { afterEach, describe, expect, it, vi } from 'vitest';
import type {
  ErrorDetailBody,
  FakeAgentConfig,
  FakeAgentListPage,
  FakeElevenLabs,
  FakeElevenLabsOptions,
  ValidationErrorBody,
} from '../../src/fake/index.js';
import { fakeAgentConfig, fakeAgentId, startFakeElevenLabs } from '../../src/fake/index.js';

const started: FakeElevenLabs[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((fake) => fake.close()));
});

async function startFake(options: FakeElevenLabsOptions = {}): Promise<FakeElevenLabs> {
  const fake = await startFakeElevenLabs({ latency: { kind: 'none' }, ...options });
  started.push(fake);
  return fake;
}

function get(fake: FakeElevenLabs, path: string, init: { key?: string | null; signal?: AbortSignal } = {}) {
  const key = init.key === undefined ? fake.apiKey : init.key;
  return fetch(`${fake.url}${path}`, {
    headers: key === null ? {} : { 'xi-api-key': key },
    signal: init.signal,
  });
}

const agentA = fakeAgentId('a');
const agentB = fakeAgentId('b');

describe('agents', () => {
  it('serves the same config for a well-formed agent id on every run, derived from the id', async () => {
    const fake = await startFake();
    const first = await get(fake, `/v1/convai/agents/${agentA}`);
    expect(first.status).toBe(200);
    const body = await bodyOf<FakeAgentConfig>(first);
    expect(body).toEqual(fakeAgentConfig(agentA));
    expect(body.conversation_config.agent).toMatchObject({
      first_message: expect.any(String),
      language: expect.any(String),
      prompt: { prompt: expect.any(String), llm: expect.any(String), temperature: expect.any(Number) },
    });
    expect(body.conversation_config.tts).toEqual({
      voice_id: expect.any(String),
      model_id: expect.any(String),
    });
    expect(fakeAgentConfig(agentB)).not.toEqual(body);
  });

  it('answers an unknown agent id with 404 in the ElevenLabs error shape', async () => {
    const fake = await startFake();
    const response = await get(fake, '/v1/convai/agents/agent_nope');
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({
      detail: {
        type: 'not_found',
        code: 'agent_not_found',
        message: 'Agent with id agent_nope not found',
        status: 'agent_not_found',
        request_id: expect.stringMatching(/^req_fake_/),
      },
    });
  });

  it('rejects a missing or wrong xi-api-key with 401 invalid_api_key and never echoes the key', async () => {
    const fake = await startFake();
    for (const key of [null, 'wrong-key']) {
      const response = await get(fake, `/v1/convai/agents/${agentA}`, { key });
      expect(response.status).toBe(401);
      const text = await response.text();
      expect(JSON.parse(text).detail.code).toBe('invalid_api_key');
      expect(text).not.toContain('wrong-key');
    }
  });

  it('accepts a custom api key and a key changed at runtime', async () => {
    const fake = await startFake({ apiKey: 'first' });
    expect((await get(fake, `/v1/convai/agents/${agentA}`, { key: 'first' })).status).toBe(200);
    fake.configure({ apiKey: 'second' });
    expect((await get(fake, `/v1/convai/agents/${agentA}`, { key: 'first' })).status).toBe(401);
    expect((await get(fake, `/v1/convai/agents/${agentA}`, { key: 'second' })).status).toBe(200);
  });
});

describe('agent list', () => {
  const ids = Array.from({ length: 5 }, (_, i) => fakeAgentId(`list-${i}`));

  it('pages through the configured agents with opaque cursors', async () => {
    const fake = await startFake({ agents: ids });
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = `page_size=2${cursor ? `&cursor=${cursor}` : ''}`;
      const page = await bodyOf<FakeAgentListPage>(await get(fake, `/v1/convai/agents?${query}`));
      pages++;
      seen.push(...page.agents.map((a) => a.agent_id));
      expect(page.has_more).toBe(page.next_cursor !== null);
      cursor = page.next_cursor;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toEqual(ids);
  });

  it('filters by name with search and uses names given with the ids', async () => {
    const fake = await startFake({ agents: [...ids, { agent_id: agentA, name: 'Zebra closer' }] });
    const page = await bodyOf<FakeAgentListPage>(await get(fake, '/v1/convai/agents?search=zebra'));
    expect(page).toEqual({
      agents: [
        {
          agent_id: agentA,
          name: 'Zebra closer',
          tags: expect.any(Array),
          created_at_unix_secs: expect.any(Number),
          archived: false,
        },
      ],
      next_cursor: null,
      has_more: false,
    });
    const config = await bodyOf<FakeAgentConfig>(await get(fake, `/v1/convai/agents/${agentA}`));
    expect(config.name).toBe('Zebra closer');
  });

  it.each([
    ['0', 'greater_than_equal'],
    ['101', 'less_than_equal'],
    ['ten', 'int_parsing'],
  ])('answers page_size=%s with 422 %s', async (pageSize, type) => {
    const fake = await startFake({ agents: ids });
    const response = await get(fake, `/v1/convai/agents?page_size=${pageSize}`);
    expect(response.status).toBe(422);
    expect(await response.json()).toEqual({
      detail: [{ loc: ['query', 'page_size'], msg: expect.any(String), type, input: pageSize }],
    });
  });

  it('answers a forged cursor with 422', async () => {
    const fake = await startFake({ agents: ids });
    const response = await get(fake, '/v1/convai/agents?cursor=not-a-cursor');
    expect(response.status).toBe(422);
    expect((await bodyOf<ValidationErrorBody>(response)).detail[0]?.loc).toEqual(['query', 'cursor']);
  });
});

describe('faults', () => {
  it('serves a sequence of status faults in order, then normal answers', async () => {
    const fake = await startFake({
      faults: {
        sequence: [
          { fault: { kind: 'status', status: 503 }, times: 2 },
          { fault: { kind: 'status', status: 408 } },
        ],
      },
    });
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await get(fake, `/v1/convai/agents/${agentA}`)).status);
    expect(statuses).toEqual([503, 503, 408, 200]);
  });

  it('sends 429 rate_limit_exceeded with Retry-After in seconds, as an HTTP date, or without it', async () => {
    const fake = await startFake({
      faults: {
        sequence: [
          { fault: { kind: 'rate_limit', retryAfterSeconds: 3 } },
          { fault: { kind: 'rate_limit', retryAfterSeconds: 60, retryAfterFormat: 'http-date' } },
          { fault: { kind: 'rate_limit' } },
        ],
      },
    });
    const [seconds, date, none] = [
      await get(fake, `/v1/convai/agents/${agentA}`),
      await get(fake, `/v1/convai/agents/${agentA}`),
      await get(fake, `/v1/convai/agents/${agentA}`),
    ];
    for (const response of [seconds, date, none]) {
      expect(response.status).toBe(429);
      expect((await bodyOf<ErrorDetailBody>(response)).detail.code).toBe('rate_limit_exceeded');
    }
    expect(seconds.headers.get('retry-after')).toBe('3');
    const waitMs = Date.parse(date.headers.get('retry-after') ?? '') - Date.now();
    expect(waitMs).toBeGreaterThan(50_000);
    expect(waitMs).toBeLessThanOrEqual(60_000);
    expect(none.headers.get('retry-after')).toBeNull();
  });

  it('sends 429 concurrent_limit_exceeded with the concurrency headers', async () => {
    const fake = await startFake({
      concurrencyLimit: 5,
      faults: { sequence: [{ fault: { kind: 'rate_limit', code: 'concurrent_limit_exceeded' } }] },
    });
    const response = await get(fake, `/v1/convai/agents/${agentA}`);
    expect(response.status).toBe(429);
    expect((await bodyOf<ErrorDetailBody>(response)).detail.code).toBe('concurrent_limit_exceeded');
    expect(response.headers.get('current-concurrent-requests')).toBe('1');
    expect(response.headers.get('maximum-concurrent-requests')).toBe('5');
  });

  it('states no maximum-concurrent-requests when it has no concurrency limit', async () => {
    const fake = await startFake({
      faults: { sequence: [{ fault: { kind: 'rate_limit', code: 'concurrent_limit_exceeded' } }] },
    });
    const response = await get(fake, `/v1/convai/agents/${agentA}`);
    expect(response.headers.get('current-concurrent-requests')).toBe('1');
    expect(response.headers.has('maximum-concurrent-requests')).toBe(false);
  });

  it('rejects requests beyond the concurrency limit with 429 concurrent_limit_exceeded', async () => {
    const fake = await startFake({ concurrencyLimit: 2, latency: { kind: 'fixed', ms: 200 } });
    const responses = await Promise.all(ids5().map((id) => get(fake, `/v1/convai/agents/${id}`)));
    const statuses = responses.map((r) => r.status).sort();
    expect(statuses).toEqual([200, 200, 429, 429, 429]);
    const rejected = responses.find((r) => r.status === 429);
    expect(rejected?.headers.get('current-concurrent-requests')).toBe('2');
    expect(rejected?.headers.get('maximum-concurrent-requests')).toBe('2');
    expect(fake.stats()).toMatchObject({ requests: 5, maxInFlight: 2, byOutcome: { '200': 2, '429': 3 } });
  });

  it('hangs a request until the client gives up', async () => {
    const fake = await startFake({ faults: { sequence: [{ fault: { kind: 'hang' } }] } });
    await expect(
      get(fake, `/v1/convai/agents/${agentA}`, { signal: AbortSignal.timeout(300) }),
    ).rejects.toThrow(/abort|timeout/i);
    expect(fake.stats().byOutcome).toEqual({ hang: 1 });
  });

  it('sends the headers and half the body, then stalls', async () => {
    const fake = await startFake({ faults: { sequence: [{ fault: { kind: 'stall_body' } }] } });
    const response = await get(fake, `/v1/convai/agents/${agentA}`, { signal: AbortSignal.timeout(300) });
    expect(response.status).toBe(200);
    await expect(response.text()).rejects.toThrow(/abort|timeout/i);
    expect(fake.stats().byOutcome).toEqual({ stall_body: 1 });
  });

  it('resets the connection without an answer', async () => {
    const fake = await startFake({ faults: { sequence: [{ fault: { kind: 'reset' } }] } });
    const error = await get(fake, `/v1/convai/agents/${agentA}`).catch((e: Error) => e);
    expect(error).toBeInstanceOf(TypeError);
    expect(String((error as Error).cause)).toMatch(/ECONNRESET|other side closed|socket/i);
    expect((await get(fake, `/v1/convai/agents/${agentA}`)).status).toBe(200);
  });

  it('answers 200 with JSON cut in the middle', async () => {
    const fake = await startFake({ faults: { sequence: [{ fault: { kind: 'malformed_json' } }] } });
    const response = await get(fake, `/v1/convai/agents/${agentA}`);
    expect(response.status).toBe(200);
    await expect(response.json()).rejects.toThrow(SyntaxError);
  });

  it('redirects to another origin, keeping the path and query, without following anything itself', async () => {
    const fake = await startFake({
      faults: {
        sequence: [{ fault: { kind: 'redirect', location: 'https://elsewhere.example', status: 308 } }],
      },
    });
    const response = await fetch(`${fake.url}/v1/convai/agents?page_size=5`, {
      headers: { 'xi-api-key': fake.apiKey },
      redirect: 'manual',
    });
    expect(response.status).toBe(308);
    expect(response.headers.get('location')).toBe('https://elsewhere.example/v1/convai/agents?page_size=5');
    expect(fake.stats().byOutcome).toEqual({ '308': 1 });
  });

  it('streams a config with a prompt long enough for the body to be the asked size, without content-length', async () => {
    const bytes = 3 * 1024 * 1024;
    const fake = await startFake({ faults: { sequence: [{ fault: { kind: 'long_prompt', bytes } }] } });
    const response = await get(fake, `/v1/convai/agents/${agentA}`);
    expect(response.headers.get('content-length')).toBeNull();
    const text = await response.text();
    expect(Buffer.byteLength(text)).toBe(bytes);
    const config = JSON.parse(text) as FakeAgentConfig;
    expect({ ...config, conversation_config: undefined }).toEqual({
      ...fakeAgentConfig(agentA),
      conversation_config: undefined,
    });
    expect(config.conversation_config.agent.prompt.prompt.trimEnd()).toBe(
      fakeAgentConfig(agentA).conversation_config.agent.prompt.prompt,
    );
    expect(fake.stats().clientAborts).toBe(0);
  });

  it('counts an answer the client stops reading as a client abort', async () => {
    const fake = await startFake({
      faults: { sequence: [{ fault: { kind: 'long_prompt', bytes: 32 * 1024 * 1024 } }] },
    });
    const controller = new AbortController();
    const response = await get(fake, `/v1/convai/agents/${agentA}`, { signal: controller.signal });
    const reader = response.body?.getReader();
    await reader?.read();
    controller.abort();
    await vi.waitFor(() => expect(fake.stats().clientAborts).toBe(1));
  });

  it('applies an agent plan to that agent only, before the run plan', async () => {
    const fake = await startFake({
      agentFaults: { [agentA]: { sequence: [{ fault: { kind: 'status', status: 500 } }] } },
      faults: { sequence: [{ fault: { kind: 'status', status: 502 } }] },
    });
    expect((await get(fake, `/v1/convai/agents/${agentA}`)).status).toBe(500);
    expect((await get(fake, `/v1/convai/agents/${agentA}`)).status).toBe(502);
    expect((await get(fake, `/v1/convai/agents/${agentB}`)).status).toBe(200);
  });

  it('draws fault rates from the seed: the same seed gives the same failures, about at the rate', async () => {
    const options: FakeElevenLabsOptions = {
      seed: 7,
      faults: { rates: [{ fault: { kind: 'status', status: 503 }, rate: 0.2 }] },
    };
    const ids = Array.from({ length: 200 }, (_, i) => fakeAgentId(`r${i}`));
    const runs = [];
    for (let run = 0; run < 2; run++) {
      const fake = await startFake(options);
      // Draws depend on (seed, agent id, request number), not on arrival order, so requests may overlap.
      const responses = await Promise.all(ids.map((id) => get(fake, `/v1/convai/agents/${id}`)));
      runs.push(responses.map((r) => r.status));
    }
    expect(runs[0]).toEqual(runs[1]);
    const failures = runs[0]?.filter((s) => s === 503).length ?? 0;
    expect(failures).toBeGreaterThan(20);
    expect(failures).toBeLessThan(60);
  });

  it('restarts fault sequences when reconfigured at runtime', async () => {
    const fake = await startFake();
    expect((await get(fake, `/v1/convai/agents/${agentA}`)).status).toBe(200);
    fake.configure({ faults: { sequence: [{ fault: { kind: 'status', status: 500 } }] } });
    expect((await get(fake, `/v1/convai/agents/${agentA}`)).status).toBe(500);
    expect((await get(fake, `/v1/convai/agents/${agentA}`)).status).toBe(200);
  });

  it('rejects an impossible option with a message naming it', async () => {
    await expect(
      startFake({ faults: { rates: [{ fault: { kind: 'status', status: 503 }, rate: 1.5 }] } }),
    ).rejects.toThrow(/faults: a fault rate must be in 0\.\.1, got 1\.5/);
    await expect(startFake({ latency: { kind: 'lognormal', medianMs: 300, p99Ms: 100 } })).rejects.toThrow(
      /p99Ms >= medianMs/,
    );
    await expect(startFake({ concurrencyLimit: 0 })).rejects.toThrow(/concurrencyLimit must be >= 1/);
    await expect(
      startFake({ faults: { sequence: [{ fault: { kind: 'redirect', location: 'elsewhere' } }] } }),
    ).rejects.toThrow(/a redirect needs an absolute location, got "elsewhere"/);
    await expect(
      startFake({ faults: { sequence: [{ fault: { kind: 'long_prompt', bytes: 0 } }] } }),
    ).rejects.toThrow(/long_prompt bytes must be a positive integer, got 0/);
  });
});

describe('latency and lifecycle', () => {
  it('delays answers by a fixed latency, per agent when the agent plan says so', async () => {
    const fake = await startFake({ agentFaults: { [agentA]: { latency: { kind: 'fixed', ms: 1500 } } } });
    const time = async (id: string) => {
      const start = performance.now();
      await (await get(fake, `/v1/convai/agents/${id}`)).json();
      return performance.now() - start;
    };
    expect(await time(agentA)).toBeGreaterThanOrEqual(1490);
    expect(await time(agentB)).toBeLessThan(1000);
  });

  it('counts requests per agent and resets the counters', async () => {
    const fake = await startFake();
    await get(fake, `/v1/convai/agents/${agentA}`);
    await get(fake, `/v1/convai/agents/${agentA}`);
    await get(fake, '/v1/convai/agents/unknown');
    expect(fake.stats()).toMatchObject({
      requests: 3,
      inFlight: 0,
      byAgent: { [agentA]: 2, unknown: 1 },
      byOutcome: { '200': 2, '404': 1 },
    });
    fake.resetStats();
    expect(fake.stats()).toEqual({
      requests: 0,
      inFlight: 0,
      maxInFlight: 0,
      byAgent: {},
      byOutcome: {},
      clientAborts: 0,
    });
  });

  it('answers unknown paths with 404 and other methods with 405', async () => {
    const fake = await startFake();
    expect((await get(fake, '/v1/voices')).status).toBe(404);
    const post = await fetch(`${fake.url}/v1/convai/agents/${agentA}`, {
      method: 'POST',
      headers: { 'xi-api-key': fake.apiKey },
    });
    expect(post.status).toBe(405);
  });

  it('closes while a request hangs', async () => {
    const fake = await startFakeElevenLabs({
      latency: { kind: 'none' },
      faults: { sequence: [{ fault: { kind: 'hang' } }] },
    });
    const pending = get(fake, `/v1/convai/agents/${agentA}`).catch((error: unknown) => error);
    await waitFor(() => fake.stats().inFlight === 1);
    await fake.close();
    expect(await pending).toBeInstanceOf(Error);
  });
});

async function bodyOf<T>(response: Response): Promise<T> {
  return (await response.json()) as T;
}

function ids5(): string[] {
  return Array.from({ length: 5 }, (_, i) => fakeAgentId(`c${i}`));
}

async function waitFor(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5));
}
