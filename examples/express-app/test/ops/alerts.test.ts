import type { AlertEvent } from '@perfkit/monitor';
import { startWebhookReceiver, type WebhookReceiver } from '@perfkit/testing';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/test-app.js';

// The monitor's rules need 10 requests in the window before they change state.
const REQUESTS = 10;

describe('alerts at the seed limits', () => {
  const logLines: string[] = [];
  let receiver: WebhookReceiver<AlertEvent>;
  let t: TestApp;

  beforeAll(async () => {
    receiver = await startWebhookReceiver<AlertEvent>();
    t = await startTestApp('alerts', {
      config: { alertWebhookUrl: receiver.url },
      // Evaluated on demand only, and logged where the test reads it.
      start: {
        alertIntervalMs: 0,
        logger: pino({ level: 'warn' }, { write: (line) => logLines.push(line) }),
      },
    });
  });
  afterAll(async () => {
    await t?.close();
    await receiver?.close();
  });

  it('fires the agent p99 rule to the log and the webhook once its answers take over 1 s, and no other rule', async () => {
    // Naive mode waits for the agent's ElevenLabs config: at 1.1 s each, every answer is over the 1 s limit.
    t.fake.configure({ latency: { kind: 'fixed', ms: 1_100 } });
    const slow = await Promise.all(
      Array.from({ length: REQUESTS }, () => t.request(`/api/agents/${t.heavyAgentId}`)),
    );
    for (let i = 0; i < REQUESTS; i++) await t.request('/api/dashboard/overview');

    const events = await t.app.monitor.evaluateAlerts();

    expect(slow.map((r) => r.status)).toEqual(Array(REQUESTS).fill(200));
    expect(events.map((e) => [e.rule, e.route, e.state])).toEqual([
      ['agent-p99', '/api/agents/:id', 'firing'],
    ]);
    expect(events[0]?.value).toBeGreaterThan(1_000);
    expect(receiver.delivered.map((e) => [e.rule, e.state])).toEqual([['agent-p99', 'firing']]);
    expect(logLines.filter((line) => line.includes('alert firing'))).toEqual([
      expect.stringContaining('alert firing: agent-p99 on * /api/agents/:id'),
    ]);
  });
});
