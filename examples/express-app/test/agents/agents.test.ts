import { fakeAgentConfig } from '@perfkit/external/fake';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type AgentBody,
  type AgentsListBody,
  agentBodySchema,
  agentsListBodySchema,
  type ErrorBody,
} from '../../src/contract/response-bodies.js';
import { expectedAgents } from '../support/expected-sql.js';
import { offsetClock } from '../support/offset-clock.js';
import { MODES, startTestApp, type TestApp } from '../support/test-app.js';

/** What the fake serves for an agent, mapped by hand to the contract's field names. */
function expectedConfig(elevenlabsAgentId: string) {
  const served = fakeAgentConfig(elevenlabsAgentId);
  const { agent, tts } = served.conversation_config;
  return {
    name: served.name,
    firstMessage: agent.first_message,
    language: agent.language,
    prompt: agent.prompt.prompt,
    llm: agent.prompt.llm,
    temperature: agent.prompt.temperature,
    voiceId: tts.voice_id,
    ttsModelId: tts.model_id,
  };
}

describe.each(MODES)('%s mode', (mode) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp('agents', { mode });
  });
  afterAll(() => t?.close());

  describe('GET /api/agents', () => {
    it("lists the user's agents newest first with all-time stats of raw rows", async () => {
      const response = await t.request<AgentsListBody>('/api/agents');

      expect(response.status).toBe(200);
      const body = agentsListBodySchema.parse(response.body);
      const expected = await expectedAgents(t.schema, t.manifest.heavyUser.id);
      expect(body.total).toBe(expected.length);
      expect(body.nextCursor).toBeNull();
      expect(body.agents.map(({ config, configStatus, ...rest }) => rest)).toEqual(expected);
    });

    it('attaches each agent its ElevenLabs config, fetched fresh', async () => {
      const response = await t.request<AgentsListBody>('/api/agents');

      for (const agent of response.body.agents) {
        expect(agent.configStatus).toBe('fresh');
        expect(agent.config).toEqual(expectedConfig(agent.elevenlabsAgentId));
      }
    });

    it('pages with an opaque cursor without skipping or repeating an agent', async () => {
      const expected = await expectedAgents(t.schema, t.manifest.heavyUser.id);
      const seen: number[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const query: string = cursor ? `?limit=2&cursor=${cursor}` : '?limit=2';
        const response = await t.request<AgentsListBody>(`/api/agents${query}`);
        expect(response.status).toBe(200);
        expect(response.body.agents.length).toBeLessThanOrEqual(2);
        expect(response.body.total).toBe(expected.length);
        seen.push(...response.body.agents.map((agent) => agent.id));
        cursor = response.body.nextCursor;
        pages++;
      } while (cursor && pages < 20);

      expect(seen).toEqual(expected.map((agent) => agent.id));
      expect(pages).toBe(Math.ceil(expected.length / 2));
    });
  });

  describe('GET /api/agents/:id', () => {
    it('returns one agent in the list item shape', async () => {
      const [newest] = await expectedAgents(t.schema, t.manifest.heavyUser.id);
      if (!newest) throw new Error('heavy tenant has no agents');

      const response = await t.request<AgentBody>(`/api/agents/${newest.id}`);

      expect(response.status).toBe(200);
      const { config, configStatus, ...agent } = agentBodySchema.parse(response.body).agent;
      expect(agent).toEqual(newest);
      expect(config).toEqual(expectedConfig(newest.elevenlabsAgentId));
      expect(configStatus).toBe('fresh');
    });

    it("answers another user's agent with the same 404 as a missing one", async () => {
      const other = t.otherUser;
      const [theirs] = await expectedAgents(t.schema, other.id);
      if (!theirs) throw new Error('no agent');

      const foreign = await t.request<ErrorBody>(`/api/agents/${theirs.id}`);
      const missing = await t.request<ErrorBody>('/api/agents/999999');

      expect(foreign.status).toBe(404);
      expect(missing.status).toBe(404);
      expect(foreign.body.error.code).toBe(missing.body.error.code);
      const own = await t.request(`/api/agents/${theirs.id}`, { key: other.apiKey });
      expect(own.status).toBe(200);
    });
  });
});

describe('naive mode: ElevenLabs one agent after another', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp('agents_naive', { mode: 'naive' });
  });
  afterAll(() => t?.close());

  it('reports unavailable with a null config when ElevenLabs fails, and still answers', async () => {
    t.fake.configure({ faults: { rates: [{ fault: { kind: 'status', status: 503 }, rate: 1 }] } });
    try {
      const response = await t.request<AgentsListBody>('/api/agents?limit=3');

      expect(response.status).toBe(200);
      expect(response.body.agents.map((agent) => [agent.config, agent.configStatus])).toEqual([
        [null, 'unavailable'],
        [null, 'unavailable'],
        [null, 'unavailable'],
      ]);
    } finally {
      t.fake.configure({ faults: {} });
    }
  });

  it('fetches ElevenLabs configs one after another (the naive pattern)', async () => {
    t.fake.configure({ latency: { kind: 'fixed', ms: 30 } });
    t.fake.resetStats();
    try {
      await t.request('/api/agents');
      const stats = t.fake.stats();
      const heavy = t.manifest.users.find((user) => user.id === t.manifest.heavyUser.id);
      expect(stats.requests).toBe(heavy?.agents);
      expect(stats.maxInFlight).toBe(1);
    } finally {
      t.fake.configure({ latency: { kind: 'none' } });
    }
  });
});

describe('optimized mode: ElevenLabs in deadline mode', () => {
  const clock = offsetClock();
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp('agents_deadline', {
      mode: 'optimized',
      config: { elevenLabsBudgetMs: 200 },
      start: { optimized: { cacheClock: clock } },
    });
  });
  afterAll(() => t?.close());

  /** The agents list of `key` until every config is `fresh` (background fetches landing), or 10 s. */
  async function untilAllFresh(key: string): Promise<AgentsListBody> {
    for (let tries = 0; tries < 50; tries++) {
      const response = await t.request<AgentsListBody>('/api/agents', { key });
      if (response.body.agents.every((agent) => agent.configStatus === 'fresh')) return response.body;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    throw new Error('configs never became fresh');
  }

  it('answers within its budget with pending configs while ElevenLabs is slow, then serves them fresh', async () => {
    t.fake.configure({ latency: { kind: 'fixed', ms: 1_500 } });
    try {
      const started = performance.now();
      const first = await t.request<AgentsListBody>('/api/agents');
      const elapsedMs = performance.now() - started;

      expect(first.status).toBe(200);
      // Budget 200 ms, ElevenLabs 1.5 s: the margin is far above machine noise.
      expect(elapsedMs).toBeLessThan(1_000);
      expect(first.body.agents.map((agent) => [agent.config, agent.configStatus])).toEqual(
        first.body.agents.map(() => [null, 'pending']),
      );
      expect(first.headers.get('cache-control')).toBe('private, no-cache');
      const later = await untilAllFresh(t.key);
      for (const agent of later.agents) expect(agent.config).toEqual(expectedConfig(agent.elevenlabsAgentId));
    } finally {
      t.fake.configure({ latency: { kind: 'none' } });
    }
  });

  it('fetches the configs of a page concurrently', async () => {
    t.fake.configure({ latency: { kind: 'fixed', ms: 50 } });
    t.fake.resetStats();
    try {
      await untilAllFresh(t.otherUser.apiKey);

      expect(t.fake.stats().maxInFlight).toBeGreaterThan(1);
    } finally {
      t.fake.configure({ latency: { kind: 'none' } });
    }
  });

  it('serves the last known config as stale when ElevenLabs fails, and unavailable when nothing is known', async () => {
    const third = t.manifest.users.find(
      (user) => user.id !== t.manifest.heavyUser.id && user.id !== t.otherUser.id && user.agents > 0,
    );
    if (!third) throw new Error('the tiny seed has no third user with agents');
    t.fake.configure({ faults: { rates: [{ fault: { kind: 'status', status: 503 }, rate: 1 }] } });
    clock.advance(10 * 60_000); // past `freshFor`: the heavy tenant's configs are due for a refresh
    try {
      const known = await t.request<AgentsListBody>('/api/agents');
      t.fake.configure({ faults: { rates: [{ fault: { kind: 'status', status: 404 }, rate: 1 }] } });
      const unknown = await t.request<AgentsListBody>('/api/agents', { key: third.apiKey });

      expect(known.status).toBe(200);
      for (const agent of known.body.agents) {
        expect(agent.configStatus).toBe('stale');
        expect(agent.config).toEqual(expectedConfig(agent.elevenlabsAgentId));
      }
      expect(unknown.status).toBe(200);
      // A 404 is final (not retried), and nothing was known: unavailable, said as it is.
      expect(unknown.body.agents.map((agent) => [agent.config, agent.configStatus])).toEqual(
        unknown.body.agents.map(() => [null, 'unavailable']),
      );
    } finally {
      t.fake.configure({ faults: {} });
    }
  });
});
