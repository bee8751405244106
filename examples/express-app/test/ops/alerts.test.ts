import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AlertEvent } from '@perfkit/monitor';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/test-app.js';

/** A webhook receiver that keeps what it is sent. */
async function startReceiver(received: AlertEvent[]): Promise<Server> {
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      body += chunk;
    });
    req.on('end', () => {
      received.push(JSON.parse(body) as AlertEvent);
      res.end();
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return server;
}

// The monitor's rules need 10 requests in the window before they change state.
const REQUESTS = 10;

describe('alerts at the seed limits', () => {
  const webhook: AlertEvent[] = [];
  const logLines: string[] = [];
  let receiver: Server;
  let t: TestApp;

  beforeAll(async () => {
    receiver = await startReceiver(webhook);
    const { port } = receiver.address() as AddressInfo;
    t = await startTestApp('alerts', {
      config: { alertWebhookUrl: `http://127.0.0.1:${port}/alerts` },
      // Evaluated on demand only, and logged where the test reads it.
      start: {
        alertIntervalMs: 0,
        logger: pino({ level: 'warn' }, { write: (line) => logLines.push(line) }),
      },
    });
  });
  afterAll(async () => {
    await t?.close();
    receiver?.close();
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
    expect(webhook.map((e) => [e.rule, e.state])).toEqual([['agent-p99', 'firing']]);
    expect(logLines.filter((line) => line.includes('alert firing'))).toEqual([
      expect.stringContaining('alert firing: agent-p99 on * /api/agents/:id'),
    ]);
  });
});
