import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MODES, startTestApp, type TestApp } from '../support/test-app.js';

/** An access-log line as the monitor writes it. */
interface AccessLine {
  msg: string;
  method: string;
  route: string;
  status: number;
  durationMs: number;
}

// R7.1: both modes are timed by the same monitor, which logs every request of every endpoint.
describe.each(MODES)('%s mode', (mode) => {
  const lines: AccessLine[] = [];
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp('access_log', {
      mode,
      start: { logger: pino({ level: 'info' }, { write: (line) => lines.push(JSON.parse(line)) }) },
    });
  });
  afterAll(() => t?.close());

  it('logs one line per request with its method, route, status and duration, for every endpoint', async () => {
    const agentId = t.heavyAgentId;
    const created = await t.request<{ id: number }>('/api/leads', {
      method: 'POST',
      body: { agentId, name: 'Grace Hopper', phone: '+15550101' },
    });
    const requests: Array<[method: string, path: string, body?: unknown, headers?: Record<string, string>]> =
      [
        ['GET', '/api/dashboard/overview?range=7d'],
        ['GET', '/api/dashboard/analytics?range=30d&bucket=week'],
        ['GET', '/api/agents?limit=5'],
        ['GET', `/api/agents/${agentId}`],
        ['PATCH', `/api/leads/${created.body.id}`, { status: 'converted', score: 95 }],
        [
          'POST',
          '/api/webhooks/call-ended',
          { agentId, status: 'completed', durationSeconds: 60, costCents: 12 },
          { 'idempotency-key': `access-log-${mode}` },
        ],
        ['GET', '/api/dashboard/overview?range=1y'],
        ['GET', '/api/nowhere'],
      ];
    const statuses: number[] = [created.status];
    for (const [method, path, body, headers] of requests)
      statuses.push((await t.request(path, { method, body, headers })).status);

    expect(statuses).toEqual([201, 200, 200, 200, 200, 200, 201, 400, 404]);
    expect(
      lines
        .filter((line) => line.msg === 'request')
        .map(({ method, route, status }) => [method, route, status]),
    ).toEqual([
      ['POST', '/api/leads', 201],
      ['GET', '/api/dashboard/overview', 200],
      ['GET', '/api/dashboard/analytics', 200],
      ['GET', '/api/agents', 200],
      ['GET', '/api/agents/:id', 200],
      ['PATCH', '/api/leads/:id', 200],
      ['POST', '/api/webhooks/call-ended', 201],
      ['GET', '/api/dashboard/overview', 400],
      ['GET', expect.any(String), 404],
    ]);
    for (const line of lines.filter((l) => l.msg === 'request'))
      expect(line.durationMs).toEqual(expect.any(Number));
  });
});
