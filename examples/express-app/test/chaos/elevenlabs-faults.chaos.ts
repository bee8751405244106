import { type FaultPlan, fakeAgentConfig, startFakeElevenLabs } from '@perfkit/external/fake';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toAgentConfig } from '../../src/agents/agent-config.js';
import type {
  AgentBody,
  AgentsListBody,
  AgentView,
  ConfigStatus,
} from '../../src/contract/response-bodies.js';
import type { RunningApp } from '../../src/server.js';
import { eventually } from '../support/eventually.js';
import { type OffsetClock, offsetClock } from '../support/offset-clock.js';
import { type JsonResponse, requestJson, seedTestData, type TestData } from '../support/test-app.js';
import { startChaosApp } from './support/chaos-app.js';
import { loadProgress, printFigures, type RunningLoad, startLoad } from './support/load.js';
import { loadTenants, pick, type Tenant } from './support/traffic.js';

const METRICS_TOKEN = 'chaos-metrics-token-0123456789';
/** Past the client's `freshFor` (5 min): every cached config is due for a fetch, which meets the fault. */
const AGE_PAST_FRESH_MS = 6 * 60_000;
/** Agents requests answered per fault. */
const REQUESTS_PER_FAULT = 200;
/** The agents API's target (R3.1): a response waits on ElevenLabs only up to its 250 ms budget, whatever the fault. */
const RESPONSE_BOUND_MS = 1_000;

/** A fault of the third party, and what an honest `configStatus` may say under it. */
interface FaultCase {
  name: string;
  /** The fake's plan; `undefined` for `refused`, where nothing listens at all. */
  plan?: FaultPlan;
  /** Whether some fetch can still succeed (then `fresh` is honest). */
  succeeds: boolean;
  /** Whether fetches fail (then `unavailable` is honest for a config never fetched). */
  fails: boolean;
  /** Whether the breaker must have opened (consecutive failed attempts within the phase). */
  opensBreaker: boolean;
}

const always = (fault: NonNullable<FaultPlan['rates']>[number]['fault']): FaultPlan => ({
  rates: [{ fault, rate: 1 }],
});

const FAULTS: FaultCase[] = [
  { name: 'refused', succeeds: false, fails: true, opensBreaker: true },
  { name: 'hanging', plan: always({ kind: 'hang' }), succeeds: false, fails: true, opensBreaker: false },
  {
    name: '100 % 5xx',
    plan: {
      rates: [
        { fault: { kind: 'status', status: 500 }, rate: 0.5 },
        { fault: { kind: 'status', status: 503 }, rate: 0.5 },
      ],
    },
    succeeds: false,
    fails: true,
    opensBreaker: true,
  },
  {
    name: '429 storm with Retry-After',
    plan: always({ kind: 'rate_limit', code: 'rate_limit_exceeded', retryAfterSeconds: 2 }),
    succeeds: false,
    fails: true,
    opensBreaker: false,
  },
  {
    name: 'malformed JSON',
    plan: always({ kind: 'malformed_json' }),
    succeeds: false,
    fails: true,
    opensBreaker: true,
  },
  {
    name: 'connection resets',
    plan: always({ kind: 'reset' }),
    succeeds: false,
    fails: true,
    opensBreaker: true,
  },
  {
    name: 'slow (median 2 s)',
    plan: { latency: { kind: 'lognormal', medianMs: 2_000, p99Ms: 6_000 } },
    succeeds: true,
    fails: false,
    opensBreaker: false,
  },
];

/** The breaker state the app's monitor last saw for ElevenLabs, from `/metrics`. */
async function breakerState(app: RunningApp): Promise<string | undefined> {
  const response = await fetch(`${app.url}/metrics`, {
    headers: { authorization: `Bearer ${METRICS_TOKEN}` },
  });
  const text = await response.text();
  return /http_client_circuit_breaker_state\{[^}]*state="(\w+)"\} 1$/m.exec(text)?.[1];
}

/** What is dishonest about an agent's config under `fault`, if anything. */
function dishonesty(agent: AgentView, fault: FaultCase, warmed: boolean): string | undefined {
  const status: ConfigStatus = agent.configStatus;
  const expected = toAgentConfig(fakeAgentConfig(agent.elevenlabsAgentId));
  if (status === 'fresh' && !fault.succeeds)
    return `agent ${agent.id} is 'fresh' though no fetch can succeed`;
  if (status === 'fresh' || status === 'stale') {
    return JSON.stringify(agent.config) === JSON.stringify(expected)
      ? undefined
      : `agent ${agent.id} is '${status}' with a config that is not its own`;
  }
  if (agent.config !== null) return `agent ${agent.id} is '${status}' yet has a config`;
  if (warmed) return `agent ${agent.id} had a known config, yet is '${status}' instead of 'stale'`;
  if (status === 'unavailable' && !fault.fails)
    return `agent ${agent.id} is 'unavailable' though no fetch fails`;
  return undefined;
}

describe('scenario 2: ElevenLabs fails in every way under load', () => {
  let data: TestData;
  let tenants: Tenant[];
  beforeAll(async () => {
    data = await seedTestData('chaos_elevenlabs');
    tenants = await loadTenants(data);
  });
  afterAll(() => data?.close());

  /** An app on its own fake ElevenLabs (so its breaker and config cache start empty) with a movable cache clock. */
  async function startOnOwnFake() {
    const fake = await startFakeElevenLabs({ latency: { kind: 'none' } });
    const clock = offsetClock();
    const app = await startChaosApp(data, {
      mode: 'optimized',
      config: { elevenLabsBaseUrl: fake.url, elevenLabsApiKey: fake.apiKey, metricsToken: METRICS_TOKEN },
      start: { optimized: { cacheClock: clock } },
    });
    return { fake, clock, app };
  }

  /**
   * Agents list and detail of every tenant under load, each response checked
   * against `fault`: the heavy tenant's configs were fetched before the fault
   * (a last known config exists), the others' never were.
   */
  function agentsLoad(app: RunningApp, fault: () => FaultCase): RunningLoad {
    const warmed = tenants[0] as Tenant;
    return startLoad(8, () => {
      const tenant = pick(tenants);
      const detail = Math.random() < 0.3;
      const path = detail ? `/api/agents/${pick(tenant.agentIds)}` : '/api/agents?limit=100';
      const started = performance.now();
      return {
        label: detail ? 'agent' : 'agents',
        send: () => requestJson(app.url, path, { key: tenant.apiKey }),
        check: (response: JsonResponse) => {
          const ms = performance.now() - started;
          if (response.status !== 200) return `status ${response.status} ${response.text.slice(0, 200)}`;
          if (ms > RESPONSE_BOUND_MS) return `answered in ${ms.toFixed(0)} ms`;
          const agents = detail
            ? [(response.body as AgentBody).agent]
            : (response.body as AgentsListBody).agents;
          for (const agent of agents) {
            const found = dishonesty(agent, fault(), tenant === warmed);
            if (found) return found;
          }
          return undefined;
        },
      };
    });
  }

  /** Fetches the heavy tenant's configs while ElevenLabs is healthy, then ages them past `freshFor`. */
  async function warmThenAge(app: RunningApp, clock: OffsetClock) {
    const warmed = tenants[0] as Tenant;
    await eventually(
      () => requestJson<AgentsListBody>(app.url, '/api/agents?limit=100', { key: warmed.apiKey }),
      (page) => page.body.agents.every((agent) => agent.configStatus === 'fresh'),
    );
    clock.advance(AGE_PAST_FRESH_MS);
  }

  it.each(FAULTS)(
    'answers the agents APIs in time with an honest configStatus when ElevenLabs is $name',
    async (fault) => {
      const { fake, clock, app } = await startOnOwnFake();
      try {
        await warmThenAge(app, clock);
        if (fault.plan) fake.configure({ faults: fault.plan });
        else await fake.close();

        const load = agentsLoad(app, () => fault);
        await loadProgress(load, REQUESTS_PER_FAULT);
        const report = await load.stop();
        const breaker = await breakerState(app);
        printFigures(`2 elevenlabs ${fault.name}`, report, {
          breaker: breaker ?? 'closed',
          fake: fake.stats().byOutcome,
        });

        expect(report.problems).toEqual([]);
        expect(report.serverErrors).toBe(0);
        if (fault.opensBreaker) expect(breaker).toBe('open');
        else expect(breaker ?? 'closed').toBe('closed');
      } finally {
        // Hung requests are dropped, so the app's background fetches settle and it closes at once.
        await fake.close();
        await app.close();
      }
    },
  );

  it('opens the breaker on 100 % 5xx and closes it by itself once ElevenLabs recovers', async () => {
    const { fake, clock, app } = await startOnOwnFake();
    try {
      await warmThenAge(app, clock);
      const failing = FAULTS.find((f) => f.name === '100 % 5xx') as FaultCase;
      let fault = failing;
      fake.configure({ faults: failing.plan ?? {} });
      const load = agentsLoad(app, () => fault);
      await eventually(
        () => breakerState(app),
        (state) => state === 'open',
      );

      fake.configure({ faults: {} });
      // Until the breaker lets a probe through (after its 30 s cooldown), configs never fetched
      // stay 'unavailable'; after, they may be 'fresh'.
      fault = { ...failing, succeeds: true };
      const openedAt = performance.now();
      await eventually(
        () => breakerState(app),
        (state) => state === 'closed',
        60_000,
      );
      const closedAfterMs = performance.now() - openedAt;
      await loadProgress(load, 50);
      const report = await load.stop();
      const page = await requestJson<AgentsListBody>(app.url, '/api/agents?limit=100', {
        key: (tenants[0] as Tenant).apiKey,
      });
      printFigures('2 elevenlabs breaker recovery', report, { closedAfterMs });

      expect(report.problems).toEqual([]);
      expect(report.serverErrors).toBe(0);
      expect(page.body.agents.every((agent) => agent.configStatus === 'fresh')).toBe(true);
    } finally {
      await fake.close();
      await app.close();
    }
  });
});
