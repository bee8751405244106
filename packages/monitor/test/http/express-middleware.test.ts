import { request } from 'node:http';
import { connect } from 'node:net';
import { manualClock } from '@perfkit/primitives/testing';
import express from 'express';
import { describe, expect, it } from 'vitest';
import {
  createMonitor,
  type Monitor,
  OTHER_METHOD,
  OVERFLOW_ROUTE,
  UNMATCHED_ROUTE,
} from '../../src/index.js';
import { appPerTest, type MonitoredApp, metricLines } from '../helpers/monitored-app.js';

const start = appPerTest();
let app: MonitoredApp | undefined;

/**
 * Sends GETs for every path pipelined over a few raw keep-alive sockets, so
 * the client costs next to nothing; responses are read and discarded.
 */
function pipelineGets(base: string, paths: string[], sockets = 4): Array<() => void> {
  const { hostname, port } = new URL(base);
  return Array.from({ length: sockets }, (_, s) => {
    const socket = connect(Number(port), hostname);
    socket.resume();
    const requests = paths
      .filter((_, i) => i % sockets === s)
      .map((path) => `GET ${path} HTTP/1.1\r\nHost: x\r\n\r\n`);
    socket.write(requests.join(''));
    return () => socket.destroy();
  });
}

function sendMethod(url: string, method: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('express middleware', () => {
  it('records requests under the route template including the mount path, never the raw URL', async () => {
    app = await start((express_) => {
      const api = express.Router();
      api.get('/agents/:id', (req, res) => res.json({ id: req.params.id }));
      express_.use('/api', api);
    });
    for (const id of ['1', '2', 'abc']) await (await app.get(`/api/agents/${id}`)).text();

    const routes = app.monitor.snapshot().routes;
    expect(routes.map((r) => [r.route, r.method, r.requests])).toEqual([['/api/agents/:id', 'GET', 3]]);
    const exposition = await (await app.get('/metrics')).text();
    expect(exposition).not.toContain('/api/agents/1');
    expect(metricLines(exposition, 'http_server_request_duration_seconds_count')).toContainEqual(
      'http_server_request_duration_seconds_count{http_request_method="GET",http_route="/api/agents/:id",http_response_status_class="2xx"} 3',
    );
  });

  it('keeps apart the methods and mount points of one route object', async () => {
    app = await start((a) => {
      const api = express.Router();
      api
        .route('/agents')
        .get((_req, res) => res.send('list'))
        .post((_req, res) => res.send('made'));
      a.use('/v1', api);
      a.use('/v2', api);
    });
    // Each request differs from the one before it in method or mount point.
    for (const [method, path] of [
      ['GET', '/v1/agents'],
      ['POST', '/v1/agents'],
      ['GET', '/v1/agents'],
      ['GET', '/v2/agents'],
      ['POST', '/v1/agents'],
    ] as const) {
      expect(await sendMethod(`${app.server.url}${path}`, method)).toBe(200);
    }

    const routes = app.monitor.snapshot().routes.map((r) => [r.route, r.method, r.requests]);
    expect(routes.sort()).toEqual([
      ['/v1/agents', 'GET', 2],
      ['/v1/agents', 'POST', 2],
      ['/v2/agents', 'GET', 1],
    ]);
  });

  it('puts every unmatched URL in one series and unknown methods under _OTHER', async () => {
    app = await start((a) => a.all('/known', (_req, res) => res.send('ok')));
    for (const path of ['/nope', '/missing/1', '/missing/2?x=1']) await (await app.get(path)).text();
    for (const method of ['PURGE', 'PURGE', 'LINK']) {
      expect(await sendMethod(`${app.server.url}/known`, method)).toBe(200);
    }

    const routes = app.monitor.snapshot().routes.map((r) => [r.route, r.method, r.requests]);
    expect(routes).toContainEqual([UNMATCHED_ROUTE, 'GET', 3]);
    expect(routes.filter(([route]) => route === '/known')).toEqual([['/known', OTHER_METHOD, 3]]);
  });

  it('labels status classes and counts 5xx as errors', async () => {
    app = await start((a) => {
      a.get('/boom', (_req, res) => res.status(503).end());
      a.get('/gone', (_req, res) => res.status(404).end());
    });
    await app.get('/boom');
    await app.get('/boom');
    await app.get('/gone');

    const exposition = await (await app.get('/metrics')).text();
    const counts = metricLines(exposition, 'http_server_request_duration_seconds_count');
    expect(counts).toContainEqual(
      expect.stringContaining('http_route="/boom",http_response_status_class="5xx"} 2'),
    );
    expect(counts).toContainEqual(
      expect.stringContaining('http_route="/gone",http_response_status_class="4xx"} 1'),
    );
    const boom = app.monitor.snapshot().routes.find((r) => r.route === '/boom');
    expect(boom).toMatchObject({ errors: 2, window: { errors: 2, errorRate: 1 } });
  });

  it('measures from arrival to the end of the response with the injected clock', async () => {
    const clock = manualClock();
    const { advance } = clock;
    app = await start(
      (a) =>
        a.get('/slow', (_req, res) => {
          advance(250);
          res.send('done');
        }),
      { clock },
    );
    for (let i = 0; i < 4; i++) await (await app.get('/slow')).text();

    const [slow] = app.monitor.snapshot().routes;
    expect(slow?.window.count).toBe(4);
    // HDR keeps two significant digits: 250 ms reads back within 1%.
    for (const value of [slow?.window.p50, slow?.window.p99, slow?.window.max]) {
      expect(value).toBeGreaterThanOrEqual(249);
      expect(value).toBeLessThanOrEqual(252.5);
    }
    const exposition = await (await app.get('/metrics')).text();
    expect(exposition).toContain(
      'http_server_request_duration_seconds_bucket{http_request_method="GET",http_route="/slow",http_response_status_class="2xx",le="0.25"} 4',
    );
  });

  it('ends the timing when the response is ended, not when work queued after it is done', async () => {
    const clock = manualClock();
    app = await start(
      (a) =>
        a.get('/ended', (_req, res) => {
          clock.advance(100);
          // Another request's continuation, queued behind this one: node's `finish` waits for it, the client does not.
          Promise.resolve()
            .then(() => res.end('done'))
            .then(() => clock.advance(5_000));
        }),
      { clock },
    );
    for (let i = 0; i < 3; i++) await (await app.get('/ended')).text();

    const [ended] = app.monitor.snapshot().routes;
    expect(ended?.window.count).toBe(3);
    expect(ended?.window.max).toBeGreaterThanOrEqual(99);
    expect(ended?.window.max).toBeLessThanOrEqual(101);
  });

  it('keeps 10,000 random URLs within the series cap, the rest in one overflow series', async () => {
    app = await start(
      (a) => {
        for (let i = 0; i < 30; i++) a.get(`/r${i}/:id`, (_req, res) => res.end());
        a.use((_req, res) => res.status(404).end());
      },
      { maxSeries: 10, accessLog: false },
    );
    const paths = Array.from({ length: 10_000 }, (_, i) =>
      i % 2 === 0
        ? `/r${i % 30}/${Math.random().toString(36).slice(2)}`
        : `/${Math.random().toString(36).slice(2)}`,
    );
    const closers = pipelineGets(app.server.url, paths);
    const total = () => app?.monitor.snapshot().routes.reduce((sum, r) => sum + r.requests, 0);
    // Generous: on a loaded machine 10,000 requests can take tens of seconds.
    await expect.poll(total, { timeout: 80_000, interval: 200 }).toBe(10_000);
    for (const close of closers) close();

    const routes = app.monitor.snapshot().routes;
    expect(routes.length).toBe(11);
    expect(routes.map((r) => r.route)).toContain(OVERFLOW_ROUTE);
    const exposition = await (await app.get('/metrics')).text();
    const series = metricLines(exposition, 'http_server_request_duration_seconds_count').map((line) =>
      line.replace(/,http_response_status_class="\w+"/, '').replace(/ \d+$/, ''),
    );
    expect(new Set(series).size).toBe(11);
  }, 90_000);

  it('writes one access log line per request with route, status, duration, cache status and request id', async () => {
    app = await start((a) =>
      a.get('/api/agents/:id', (req, res) => {
        if (req.params.id === '7') res.setHeader('X-Cache', 'stale');
        res.json({});
      }),
    );
    await (await app.get('/api/agents/7', { headers: { 'x-request-id': 'req-42' } })).text();
    await (await app.get('/api/agents/8')).text();

    const lines = app.log.lines().filter((line) => line.msg === 'request');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({
      requestId: 'req-42',
      method: 'GET',
      route: '/api/agents/:id',
      status: 200,
      cache: 'stale',
      durationMs: expect.any(Number),
    });
    expect(lines[1]?.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(lines[1]?.cache).toBeUndefined();
  });

  it('records a request the client abandoned as 499', async () => {
    let reached: () => void = () => {};
    const handlerReached = new Promise<void>((resolve) => {
      reached = resolve;
    });
    app = await start((a) => a.get('/hang', () => reached()));
    const controller = new AbortController();
    const pending = app.get('/hang', { signal: controller.signal }).catch(() => undefined);
    await handlerReached;
    controller.abort();
    await pending;
    await expect
      .poll(() => app?.monitor.snapshot().routes.find((r) => r.route === '/hang')?.requests)
      .toBe(1);
    const exposition = await (await app.get('/metrics')).text();
    expect(exposition).toContain('http_route="/hang",http_response_status_class="4xx"} 1');
    expect(app.log.lines().find((line) => line.route === '/hang')?.status).toBe(499);
  });

  it('records the finished requests of a connection with their status, and the one pending when it closed as 499', async () => {
    let reached: () => void = () => {};
    const handlerReached = new Promise<void>((resolve) => {
      reached = resolve;
    });
    app = await start((a) => {
      a.get('/ok', (_req, res) => res.status(204).end());
      a.get('/hang', () => reached());
    });
    const { hostname, port } = new URL(app.server.url);
    const socket = connect(Number(port), hostname);
    socket.resume();
    socket.write('GET /ok HTTP/1.1\r\nHost: x\r\n\r\nGET /hang HTTP/1.1\r\nHost: x\r\n\r\n');
    await handlerReached;
    socket.destroy();

    await expect.poll(() => app?.log.lines().filter((line) => line.msg === 'request').length).toBe(2);
    const statuses = app.log.lines().map((line) => [line.route, line.status]);
    expect(statuses).toEqual([
      ['/ok', 204],
      ['/hang', 499],
    ]);
  });

  it('records a request once per pass through the middleware, all with the status it finished with', async () => {
    app = await start((a, monitor) => {
      const sub = express();
      sub.use(monitor.middleware());
      sub.get('/inner', (_req, res) => res.status(201).end());
      a.use('/sub', sub);
    });
    await (await app.get('/sub/inner')).text();
    // A watch left pending would be recorded as 499 when its connection closes.
    app.server.server.closeAllConnections();
    await expect.poll(() => app?.log.lines().length).toBe(2);

    const statuses = app.log.lines().map((line) => [line.route, line.status]);
    expect(statuses).toEqual([
      ['/sub/inner', 201],
      ['/sub/inner', 201],
    ]);
  });

  it('records every request in each of two monitors on one app', async () => {
    const second = createMonitor({ processMetrics: false, accessLog: false });
    app = await start((a) => {
      a.use(second.middleware());
      a.get('/twice', (_req, res) => res.json({ ok: true }));
    });
    for (let i = 0; i < 3; i++) await (await app.get('/twice')).text();

    const requests = (monitor: Monitor) =>
      monitor.snapshot().routes.find((r) => r.route === '/twice')?.requests;
    await expect.poll(() => [requests(app?.monitor as Monitor), requests(second)]).toEqual([3, 3]);
    for (const monitor of [app.monitor, second]) {
      expect(await monitor.registry.metrics()).toContain(
        'http_route="/twice",http_response_status_class="2xx"} 3',
      );
    }
  });
});
