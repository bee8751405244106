import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ErrorBody } from '../../src/contract/response-bodies.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/** Blocks this process's event loop (the app runs in it) for `ms`: real CPU pressure, no fake. */
function blockEventLoop(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // spin
  }
}

const tick = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('load shedding on event-loop delay', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp('shedding', { mode: 'optimized', config: { shedEventLoopDelayMs: 300 } });
  });
  afterAll(() => t?.close());

  it('answers 503 with Retry-After and a JSON error past the threshold, keeps /health up, then recovers', async () => {
    expect((await t.request('/api/dashboard/overview')).status).toBe(200);

    const both = () =>
      Promise.all([t.request<ErrorBody>('/api/dashboard/overview'), t.request('/health', { key: null })]);
    // The shedder reads the delay once per 100 ms window: the window after the block sheds.
    const blockThenProbe = async () => {
      blockEventLoop(1_200); // four times the threshold
      let [shed, health] = await both();
      for (let tries = 0; tries < 15 && shed.status !== 503; tries++) {
        await tick(20);
        [shed, health] = await both();
      }
      return { shed, health };
    };
    // On a loaded machine a probe can miss those 100 ms: the block repeats, a few times at most.
    let probe = await blockThenProbe();
    for (let attempt = 1; attempt < 5 && probe.shed.status !== 503; attempt++) probe = await blockThenProbe();
    const { shed, health } = probe;

    expect(shed.status).toBe(503);
    expect(shed.headers.get('retry-after')).toBe('1');
    expect(shed.body.error.code).toBe('overloaded');
    expect(health.status).toBe(200);

    // Recovers by itself once a window passes without the delay (polled: the machine is shared).
    let after = await t.request('/api/dashboard/overview');
    for (let tries = 0; tries < 50 && after.status !== 200; tries++) {
      await tick(100);
      after = await t.request('/api/dashboard/overview');
    }
    expect(after.status).toBe(200);
  });

  it('does not shed under the threshold', async () => {
    blockEventLoop(30);
    await tick(150);

    expect((await t.request('/api/dashboard/overview')).status).toBe(200);
  });
});

describe('alerting while it sheds', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp('shedding_alerts', {
      mode: 'optimized',
      config: { shedEventLoopDelayMs: 300 },
      start: { alertIntervalMs: 0 }, // evaluated on demand
    });
  });
  afterAll(() => t?.close());

  // A request's wait before node reads it is in no route's timing; the shed 503s are in its 5xx rate.
  it('fires the 5xx-rate rule on the route it sheds', async () => {
    let shed = 0;
    for (let attempt = 0; attempt < 10 && shed < 10; attempt++) {
      blockEventLoop(1_200);
      const answers = await Promise.all(
        Array.from({ length: 10 }, () => t.request('/api/dashboard/overview')),
      );
      shed += answers.filter((answer) => answer.status === 503).length;
    }

    const events = await t.app.monitor.evaluateAlerts();

    expect(shed).toBeGreaterThanOrEqual(10);
    expect(events.map((e) => [e.rule, e.route, e.state])).toContainEqual([
      'error-rate',
      '/api/dashboard/overview',
      'firing',
    ]);
  });
});
