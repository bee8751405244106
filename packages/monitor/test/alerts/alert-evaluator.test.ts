import { manualClock } from '@perfkit/primitives/testing';
import { startWebhookReceiver } from '@perfkit/testing';
import { describe, expect, it } from 'vitest';
import {
  type AlertEvent,
  type AlertRule,
  type AlertSink,
  createCallbackSink,
  createLogSink,
  createWebhookSink,
} from '../../src/index.js';
import { type CapturedLog, captureLogger } from '../helpers/capture-logger.js';
import { appPerTest, type MonitoredApp } from '../helpers/monitored-app.js';

const start = appPerTest();
let app: MonitoredApp | undefined;

/** An app whose `/api/agents` takes `latency.ms` by the manual clock and answers `latency.status`. */
async function appWithAlerts(rules: AlertRule[]) {
  const clock = manualClock();
  const { advance } = clock;
  const latency = { ms: 10, status: 200 };
  const events: AlertEvent[] = [];
  const emitted: AlertEvent[] = [];
  app = await start(
    (a) => {
      const handler = (_req: unknown, res: { status(code: number): { end(): void } }) => {
        advance(latency.ms);
        res.status(latency.status).end();
      };
      a.get('/api/agents', handler);
      a.get('/api/dashboard/overview', handler);
    },
    {
      clock,
      window: '10s',
      windowSlices: 5,
      alerts: { rules, sinks: [createCallbackSink((event) => void events.push(event))], interval: 0 },
    },
  );
  app.monitor.on('alert', (event) => emitted.push(event));
  const send = async (count: number, path = '/api/agents') => {
    for (let i = 0; i < count; i++) await (await app?.get(path))?.arrayBuffer();
  };
  return { app, latency, events, emitted, send, advance };
}

describe('alert rules', () => {
  it('fires once above the threshold and resolves once below, with hysteresis in between', async () => {
    const t = await appWithAlerts([
      {
        name: 'agents-p95',
        route: '/api/agents',
        metric: 'p95',
        above: 100,
        resolveBelow: 50,
        minRequests: 5,
      },
    ]);
    await t.send(10);
    expect(await t.app.monitor.evaluateAlerts()).toEqual([]);

    t.latency.ms = 200;
    await t.send(10);
    await t.app.monitor.evaluateAlerts();
    await t.app.monitor.evaluateAlerts();
    expect(t.events.map((e) => [e.state, e.rule, e.route])).toEqual([
      ['firing', 'agents-p95', '/api/agents'],
    ]);
    expect(t.events[0]).toMatchObject({ metric: 'p95', threshold: 100, requests: 20, windowMs: 10_000 });
    expect(t.events[0]?.value).toBeGreaterThan(199);
    expect(t.app.monitor.snapshot().alerts).toHaveLength(1);

    t.advance(11_000);
    t.latency.ms = 70;
    await t.send(10);
    await t.app.monitor.evaluateAlerts();
    expect(t.events).toHaveLength(1);

    t.advance(11_000);
    t.latency.ms = 20;
    await t.send(10);
    await t.app.monitor.evaluateAlerts();
    await t.app.monitor.evaluateAlerts();
    expect(t.events.map((e) => e.state)).toEqual(['firing', 'resolved']);
    expect(t.events[1]).toMatchObject({ threshold: 50, requests: 10 });
    expect(t.emitted).toEqual(t.events);
    expect(t.app.monitor.snapshot().alerts).toEqual([]);
  });

  it('holds its state while the window has fewer than minRequests', async () => {
    const t = await appWithAlerts([{ name: 'p99', route: '/api/agents', metric: 'p99', above: 100 }]);
    t.latency.ms = 500;
    await t.send(9);
    expect(await t.app.monitor.evaluateAlerts()).toEqual([]);
    await t.send(1);
    expect((await t.app.monitor.evaluateAlerts()).map((e) => e.state)).toEqual(['firing']);
  });

  it("evaluates a '*' error-rate rule for each route separately", async () => {
    const t = await appWithAlerts([
      { name: 'errors', route: '*', metric: 'error_rate', above: 0.2, minRequests: 5 },
    ]);
    await t.send(10, '/api/dashboard/overview');
    t.latency.status = 503;
    await t.send(5);
    t.latency.status = 200;
    await t.send(5);
    const events = await t.app.monitor.evaluateAlerts();
    expect(events.map((e) => [e.state, e.route, e.value])).toEqual([['firing', '/api/agents', 0.5]]);
  });

  it('logs a failing sink and still delivers to the others', async () => {
    const delivered: AlertEvent[] = [];
    const { log } = await slowRouteApp((log) => [
      createCallbackSink(() => Promise.reject(new Error('pager down')), 'pager'),
      createLogSink(log.logger),
      createCallbackSink((event) => void delivered.push(event)),
    ]);
    await app?.monitor.evaluateAlerts();
    expect(delivered).toHaveLength(1);
    expect(log.lines().find((line) => line.msg === 'alert sink failed')).toMatchObject({ sink: 'pager' });
    expect(log.lines().find((line) => line.msg === 'alert firing: slow on * /slow')).toMatchObject({
      level: 40,
    });
  });

  it('logs a sink that throws synchronously and a throwing alert listener, and still delivers to the others', async () => {
    const delivered: AlertEvent[] = [];
    const heard: AlertEvent[] = [];
    const throwingSink: AlertSink = {
      name: 'sync-thrower',
      send: () => {
        throw new Error('sink bug');
      },
    };
    const { monitor, log } = await slowRouteApp(() => [
      throwingSink,
      createCallbackSink((event) => void delivered.push(event)),
    ]);
    monitor.on('alert', () => {
      throw new Error('listener bug');
    });
    monitor.on('alert', (event) => void heard.push(event));

    const events = await monitor.evaluateAlerts();
    expect(events).toHaveLength(1);
    expect(delivered).toEqual(events);
    expect(heard).toEqual(events);
    const failures = log.lines().filter((line) => line.level === 50);
    expect(failures).toMatchObject([
      { msg: 'alert sink failed', sink: 'sync-thrower', err: { message: 'sink bug' } },
      { msg: 'monitor listener failed', event: 'alert', err: { message: 'listener bug' } },
    ]);
  });
});

describe('closing', () => {
  it('waits for alert deliveries in flight, a webhook retry included, so nothing is left running', async () => {
    const receiver = await startWebhookReceiver([503]);
    try {
      const { monitor } = await slowRouteApp(() => [
        createWebhookSink({ url: receiver.url, retryDelay: 300 }),
      ]);
      const evaluating = monitor.evaluateAlerts();
      await monitor.close();
      // The first attempt was refused: close() waited through the retry's back-off for the delivery.
      expect(receiver.attempts).toBe(2);
      expect(receiver.delivered).toHaveLength(1);
      await evaluating;
    } finally {
      await receiver.close();
    }
  });

  it('waits at most alerts.closeWait for a sink that never settles', async () => {
    const never: AlertSink = { name: 'never', send: () => new Promise(() => {}) };
    const { monitor } = await slowRouteApp(() => [never], { closeWait: 200 });
    void monitor.evaluateAlerts();
    const closed = await Promise.race([
      monitor.close().then(() => 'closed'),
      new Promise((resolve) => setTimeout(resolve, 5_000, 'still waiting')),
    ]);
    expect(closed).toBe('closed');
  });
});

/** An app whose one request to `/slow` (300 ms by the manual clock) is enough to fire rule `slow`. */
async function slowRouteApp(sinks: (log: CapturedLog) => AlertSink[], alerts: { closeWait?: number } = {}) {
  const log = captureLogger();
  const clock = manualClock();
  const { advance } = clock;
  app = await start(
    (a) =>
      a.get('/slow', (_req, res) => {
        advance(300);
        res.end();
      }),
    {
      clock,
      logger: log.logger,
      alerts: {
        rules: [{ name: 'slow', route: '/slow', metric: 'p95', above: 100, minRequests: 1 }],
        sinks: sinks(log),
        interval: 0,
        ...alerts,
      },
    },
  );
  await (await app.get('/slow')).arrayBuffer();
  return { monitor: app.monitor, log };
}
