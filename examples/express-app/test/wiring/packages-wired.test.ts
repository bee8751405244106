import { randomBytes } from 'node:crypto';
import { createCache } from '@perfkit/cache';
import { createRedisStore } from '@perfkit/cache/redis';
import { ElevenLabsClient } from '@perfkit/external';
import { fakeAgentId, startFakeElevenLabs } from '@perfkit/external/fake';
import { createMonitor } from '@perfkit/monitor';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { TEST_REDIS_URL } from '../support/test-app.js';

/*
 * The libraries never import each other; the app wires them. This is that
 * wiring without the app: a real two-tier cache as the ElevenLabs client's
 * cache, the monitor watching both, the fake ElevenLabs over real HTTP, and
 * what each part emits read back from the monitor's Prometheus exposition.
 */

const prefix = `perfkit-test:wiring:${randomBytes(4).toString('hex')}:`;
const redis = new Redis(TEST_REDIS_URL);

afterAll(async () => {
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
});

describe('cache, external and monitor wired together', () => {
  it('a config fetched once is served from L1, then from L2 to a second instance, and the monitor hears every step', async () => {
    const fake = await startFakeElevenLabs({ latency: { kind: 'none' } });
    const monitor = createMonitor({ processMetrics: false, accessLog: false });
    const l2 = createRedisStore(redis, { prefix });
    const instance = () => {
      const cache = createCache({ namespace: 'elevenlabs', l2 });
      const client = new ElevenLabsClient({ baseUrl: fake.url, apiKey: fake.apiKey, cache });
      const stops = [monitor.watchCache(cache), monitor.watchElevenLabs(client)];
      return { cache, client, stops };
    };
    const agentId = fakeAgentId('wired');
    const budget = { budgetMs: 10_000 };
    const first = instance();
    const second = instance();
    try {
      const fetched = await first.client.getAgentConfigs([agentId], budget);
      await first.client.idle();
      const fromL1 = await first.client.getAgentConfigs([agentId], budget);
      const fromL2 = await second.client.getAgentConfigs([agentId], budget);

      for (const entries of [fetched, fromL1, fromL2]) {
        expect(entries).toMatchObject([{ agentId, status: 'fresh', config: { agent_id: agentId } }]);
      }
      expect(fake.stats().requests).toBe(1);
      const exposition = await monitor.registry.metrics();
      for (const line of [
        'cache_lookups_total{cache_namespace="elevenlabs",result="miss"} 1',
        'cache_lookups_total{cache_namespace="elevenlabs",result="hit",layer="l1"} 1',
        'cache_lookups_total{cache_namespace="elevenlabs",result="hit",layer="l2"} 1',
        'http_client_request_duration_seconds_count{server_address="elevenlabs",http_request_method="GET",url_template="/v1/convai/agents/:agent_id",http_response_status_code="200",error_type="",outcome="success"} 1',
        'http_client_circuit_breaker_state{server_address="elevenlabs",state="closed"} 1',
        `http_client_concurrency_limit{server_address="elevenlabs"} ${first.client.concurrency}`,
      ]) {
        expect(exposition).toContain(line);
      }
    } finally {
      for (const { cache, stops } of [first, second]) {
        for (const stop of stops) stop();
        cache.close();
      }
      await monitor.close();
      await fake.close();
    }
  });
});
