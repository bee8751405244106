import { setTimeout as sleep } from 'node:timers/promises';
import { manualClock } from '@perfkit/primitives/testing';
import { listenHttp } from '@perfkit/testing';
import express, { type Express } from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { createMonitor, type Monitor } from '../../src/index.js';
import { appPerTest, type MonitoredApp, startMonitoredApp } from '../helpers/monitored-app.js';

const start = appPerTest();
let app: MonitoredApp | undefined;

const TIMED_DB = /^db;dur=\d+\.\d, total;dur=\d+\.\d$/;
const closers: Array<() => Promise<void>> = [];
// The monitors timedApp created, so a route mounted before the middleware can use its monitor.
const monitors: Monitor[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

/**
 * An app on port 0 with `Server-Timing` whose GET /timed times a `db`
 * section; `before` mounts what comes before the monitor's middleware.
 * Resolves with its URL.
 */
async function timedApp(before: (app: Express) => void): Promise<string> {
  const monitor = createMonitor({ processMetrics: false, accessLog: false, serverTiming: true });
  monitors.push(monitor);
  const timed = express();
  before(timed);
  timed.use(monitor.middleware());
  timed.get('/timed', (_req, res) => {
    monitor.timer(res).time('db', () => 'rows');
    res.json({ ok: true });
  });
  const server = await listenHttp(timed);
  closers.push(async () => {
    await server.close();
    await monitor.close();
  });
  return server.url;
}

describe('Server-Timing', () => {
  it('sums timed sections per name, sync and async, and ends with the total', async () => {
    const clock = manualClock();
    const { advance } = clock;
    app = await start(
      (a, monitor) =>
        a.get('/overview', async (_req, res) => {
          await monitor.timer(res).time('db', async () => {
            await sleep(1);
            advance(12);
          });
          await monitor.timer(res).time('db', async () => advance(3));
          monitor.timer(res).time('cache', () => advance(0.5));
          advance(1);
          res.json({ ok: true });
        }),
      { serverTiming: true, clock },
    );
    const response = await app.get('/overview');
    expect(response.headers.get('server-timing')).toBe('db;dur=15.0, cache;dur=0.5, total;dur=16.5');
  });

  it('is set before headers flush when the handler streams the body', async () => {
    app = await start(
      (a, monitor) =>
        a.get('/stream', async (_req, res) => {
          await monitor.timer(res).time('elevenlabs', () => sleep(1));
          res.write('first chunk');
          await sleep(5);
          res.end('last chunk');
        }),
      { serverTiming: true },
    );
    const response = await app.get('/stream');
    expect(response.headers.get('server-timing')).toMatch(/^elevenlabs;dur=\d+\.\d, total;dur=\d+\.\d$/);
    expect(await response.text()).toBe('first chunklast chunk');
  });

  it('is set by a mounted sub-app and a second app alike', async () => {
    app = await start(
      (a, monitor) => {
        const sub = express();
        sub.get('/inner', async (_req, res) => {
          await monitor.timer(res).time('db', () => sleep(1));
          res.json({ ok: true });
        });
        a.use('/sub', sub);
      },
      { serverTiming: true },
    );
    expect((await app.get('/sub/inner')).headers.get('server-timing')).toMatch(/^db;dur=\d+\.\d, total;dur=/);
    const second = await startMonitoredApp(
      (a, monitor) =>
        a.get('/two', (_req, res) => {
          monitor.timer(res).time('cache', () => 'hit');
          res.json({ ok: true });
        }),
      { serverTiming: true },
    );
    try {
      expect((await second.get('/two')).headers.get('server-timing')).toMatch(
        /^cache;dur=\d+\.\d, total;dur=/,
      );
    } finally {
      await second.close();
    }
  });

  it('is set on the first and later requests of a server alike, and on no response that skipped the middleware', async () => {
    const url = await timedApp((a) => a.get('/early', (_req, res) => res.json({ ok: true })));
    const headers: Array<string | null> = [];
    for (const path of ['/timed', '/timed', '/early', '/timed']) {
      headers.push((await fetch(url + path)).headers.get('server-timing'));
    }
    expect(headers.map((header) => TIMED_DB.test(header ?? ''))).toEqual([true, true, false, true]);
    expect(headers[2]).toBeNull();
  });

  it('is set on concurrent requests that reach it after an asynchronous middleware', async () => {
    let arrivals = 0;
    let release: () => void = () => {};
    const bothArrived = new Promise<void>((resolve) => {
      release = resolve;
    });
    const url = await timedApp((a) =>
      a.use(async (req, _res, next) => {
        if (req.url === '/timed?gated') {
          if (++arrivals === 2) release();
          await bothArrived;
        }
        next();
      }),
    );
    const first = await fetch(`${url}/timed`);
    const gated = await Promise.all([fetch(`${url}/timed?gated`), fetch(`${url}/timed?gated`)]);
    for (const response of [first, ...gated]) {
      expect(response.headers.get('server-timing')).toMatch(TIMED_DB);
    }
  });

  it('records a section whose function throws, and rethrows', async () => {
    app = await start(
      (a, monitor) =>
        a.get('/fails', async (_req, res) => {
          await monitor
            .timer(res)
            .time('db', async () => Promise.reject(new Error('down')))
            .catch(() => undefined);
          res.end();
        }),
      { serverTiming: true },
    );
    expect((await app.get('/fails')).headers.get('server-timing')).toMatch(/^db;dur=/);
  });

  it('gives a response the middleware did not see a timer that only runs the section', async () => {
    let result: string | undefined;
    const url = await timedApp((a) =>
      a.get('/before', (_req, res) => {
        result = monitors
          .at(-1)
          ?.timer(res)
          .time('db', () => 'rows');
        res.json({ ok: true });
      }),
    );
    const response = await fetch(`${url}/before`);
    expect(response.headers.has('server-timing')).toBe(false);
    expect(result).toBe('rows');
  });

  it('adds no header when off, and the timer still returns the result', async () => {
    let result: number | undefined;
    app = await start((a, monitor) =>
      a.get('/plain', async (_req, res) => {
        result = await monitor.timer(res).time('db', async () => 42);
        res.end();
      }),
    );
    const response = await app.get('/plain');
    expect(response.headers.has('server-timing')).toBe(false);
    expect(result).toBe(42);
  });

  it('is set on a plain node:http response, which records the status its handler wrote', async () => {
    const monitor = createMonitor({ processMetrics: false, accessLog: false, serverTiming: true });
    const server = await listenHttp(
      monitor.wrapHandler(
        async (_req, res) => {
          await monitor.timer(res).time('elevenlabs', () => sleep(1));
          res.writeHead(201, { 'content-type': 'text/plain' });
          res.end('created');
        },
        { route: () => '/calls' },
      ),
    );
    try {
      const response = await fetch(`${server.url}/calls`);
      expect(response.status).toBe(201);
      expect(response.headers.get('server-timing')).toMatch(/^elevenlabs;dur=\d+\.\d, total;dur=\d+\.\d$/);
      await expect
        .poll(async () => await monitor.registry.metrics())
        .toContain('http_route="/calls",http_response_status_class="2xx"} 1');
    } finally {
      await server.close();
    }
  });
});
