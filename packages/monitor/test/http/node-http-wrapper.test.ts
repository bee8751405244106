import { listenHttp, type RunningServer } from '@perfkit/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { createMonitor, type Monitor, UNMATCHED_ROUTE } from '../../src/index.js';
import { captureLogger } from '../helpers/capture-logger.js';

let server: RunningServer | undefined;
afterEach(async () => {
  await server?.close();
});

describe('node:http wrapper', () => {
  it('records requests under the route the resolver names, the rest as unmatched', async () => {
    const monitor: Monitor = createMonitor({ processMetrics: false, accessLog: false });
    server = await listenHttp(
      monitor.wrapHandler(
        (req, res) => {
          res.statusCode = req.url === '/health' ? 200 : 404;
          res.end();
        },
        { route: (req) => (req.url === '/health' ? '/health' : undefined) },
      ),
    );
    await fetch(`${server.url}/health`);
    await fetch(`${server.url}/health`);
    await fetch(`${server.url}/random/123`);

    const routes = monitor.snapshot().routes.map((r) => [r.route, r.requests]);
    expect(routes).toEqual(
      expect.arrayContaining([
        ['/health', 2],
        [UNMATCHED_ROUTE, 1],
      ]),
    );
    expect(routes).toHaveLength(2);
  });

  it('records a request the client abandoned as 499', async () => {
    const monitor = createMonitor({ processMetrics: false, accessLog: false });
    let reached: () => void = () => {};
    const handlerReached = new Promise<void>((resolve) => {
      reached = resolve;
    });
    server = await listenHttp(monitor.wrapHandler(() => reached(), { route: () => '/hang' }));
    const controller = new AbortController();
    const pending = fetch(`${server.url}/hang`, { signal: controller.signal }).catch(() => undefined);
    await handlerReached;
    controller.abort();
    await pending;

    await expect.poll(() => monitor.snapshot().routes.find((r) => r.route === '/hang')?.requests).toBe(1);
    expect(await monitor.registry.metrics()).toContain(
      'http_route="/hang",http_response_status_class="4xx"} 1',
    );
  });

  it('logs a route resolver that throws, and keeps serving', async () => {
    const log = captureLogger();
    const monitor = createMonitor({ processMetrics: false, accessLog: false, logger: log.logger });
    server = await listenHttp(
      monitor.wrapHandler((_req, res) => res.end('ok'), {
        route: () => {
          throw new Error('resolver bug');
        },
      }),
    );
    for (let i = 0; i < 2; i++) expect(await (await fetch(server.url)).text()).toBe('ok');

    await expect
      .poll(() => log.lines().filter((line) => line.msg === 'monitor failed to record a request').length)
      .toBe(2);
    expect(log.lines()[0]?.err).toMatchObject({ message: 'resolver bug' });
    await monitor.close();
  });
});
