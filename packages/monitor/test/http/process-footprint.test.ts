import { Agent, get, ServerResponse } from 'node:http';
import { listenHttp, type RunningServer } from '@perfkit/testing';
import express, { type Express } from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { createMonitor, type Monitor, UNMATCHED_ROUTE } from '../../src/index.js';
import { httpChannelsObserved, prototypeState, responseFootprint } from '../helpers/process-state.js';

type Footprint = ReturnType<typeof responseFootprint>;

const servers: RunningServer[] = [];
const monitors: Monitor[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
  await Promise.all(monitors.splice(0).map((monitor) => monitor.close()));
});

function monitorWithServerTiming(): Monitor {
  const monitor = createMonitor({ processMetrics: false, accessLog: false, serverTiming: true });
  monitors.push(monitor);
  return monitor;
}

/** An Express app answering GET /r, whose handler notes what it sees of each response. */
function footprintApp(seen: Footprint[], setup: (app: Express) => void = () => {}): Express {
  const app = express();
  setup(app);
  app.get('/r', (_req, res) => {
    seen.push(responseFootprint(res));
    res.json({ ok: true });
  });
  return app;
}

async function start(handler: Parameters<typeof listenHttp>[0]): Promise<RunningServer> {
  const server = await listenHttp(handler);
  servers.push(server);
  return server;
}

/** A GET through `agent`, resolving with the status and the Server-Timing header. */
function getThrough(agent: Agent, url: string): Promise<{ status: number; serverTiming: unknown }> {
  return new Promise((resolve, reject) => {
    get(url, { agent }, (res) => {
      res.resume();
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, serverTiming: res.headers['server-timing'] }),
      );
    }).on('error', reject);
  });
}

function requests(monitor: Monitor, route: string): number | undefined {
  return monitor.snapshot().routes.find((r) => r.route === route)?.requests;
}

describe('the monitor in the process', () => {
  it('leaves an Express app in the same process without the monitor untouched', async () => {
    const prototypes = prototypeState();
    const plainSeen: Footprint[] = [];
    const plain = await start(footprintApp(plainSeen));
    await (await fetch(`${plain.url}/r`)).text();

    const monitor = monitorWithServerTiming();
    const monitored = await start(footprintApp([], (app) => app.use(monitor.middleware())));
    const response = await fetch(`${monitored.url}/r`);
    expect(response.headers.get('server-timing')).toMatch(/^total;dur=/);
    await (await fetch(`${plain.url}/r`)).text();

    expect(plainSeen[1]).toEqual(plainSeen[0]);
    expect(plainSeen[1]?.inheritsWriteHead).toBe(true);
    expect(prototypeState()).toEqual(prototypes);
    await expect.poll(() => monitor.snapshot().routes.map((r) => [r.route, r.requests])).toEqual([['/r', 1]]);
  });

  it('removes its channel subscription and connection listeners on close(), then only passes requests on', async () => {
    const prototypes = prototypeState();
    expect(httpChannelsObserved()).toBe(false);
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const plainSeen: Footprint[] = [];
    const plain = await start(footprintApp(plainSeen));
    await getThrough(agent, `${plain.url}/r`);

    const monitor = monitorWithServerTiming();
    const seen: Footprint[] = [];
    const monitored = await start(footprintApp(seen, (app) => app.use(monitor.middleware())));
    expect((await getThrough(agent, `${monitored.url}/r`)).serverTiming).toMatch(/^total;dur=/);
    expect(httpChannelsObserved()).toBe(true);
    // One listener on the connection, not on the response.
    expect(seen[0]?.socketCloseListeners).toBe((plainSeen[0]?.socketCloseListeners ?? 0) + 1);
    await expect.poll(() => requests(monitor, '/r')).toBe(1);

    await monitor.close();
    expect(httpChannelsObserved()).toBe(false);
    // The same keep-alive connection (maxSockets: 1), through the middleware still mounted.
    expect(await getThrough(agent, `${monitored.url}/r`)).toEqual({ status: 200, serverTiming: undefined });
    expect(seen[1]).toEqual(plainSeen[0]);
    expect(requests(monitor, '/r')).toBe(1);
    expect(httpChannelsObserved()).toBe(false);
    expect(prototypeState()).toEqual(prototypes);
    agent.destroy();
  });

  it('records the requests of a framework that sets its own response prototype, without touching that prototype', async () => {
    const monitor = monitorWithServerTiming();
    const middleware = monitor.middleware();
    // Like Express: each response gets the framework's prototype, which inherits from node's.
    const frameworkResponse = Object.create(ServerResponse.prototype, {
      send: {
        value(this: ServerResponse, body: string) {
          this.end(body);
        },
      },
    }) as ServerResponse & { send(body: string): void };
    const framework = await start((req, res) => {
      Object.setPrototypeOf(res, frameworkResponse);
      middleware(req, res, () => {
        res.statusCode = 201;
        frameworkResponse.send.call(res, 'made');
      });
    });

    const response = await fetch(framework.url);
    expect(response.status).toBe(201);
    expect(response.headers.get('server-timing')).toMatch(/^total;dur=/);
    expect(Object.getOwnPropertyNames(frameworkResponse)).toEqual(['send']);
    await expect.poll(() => requests(monitor, UNMATCHED_ROUTE)).toBe(1);
    expect(await monitor.registry.metrics()).toContain(
      `http_route="${UNMATCHED_ROUTE}",http_response_status_class="2xx"} 1`,
    );
  });
});
