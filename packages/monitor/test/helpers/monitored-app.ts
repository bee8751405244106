import { listenHttp, type RunningServer } from '@perfkit/testing';
import express, { type Express } from 'express';
import { afterEach } from 'vitest';
import { createMonitor, type Monitor, type MonitorOptions } from '../../src/index.js';
import { type CapturedLog, captureLogger } from './capture-logger.js';

export interface MonitoredApp {
  monitor: Monitor;
  log: CapturedLog;
  server: RunningServer;
  get(path: string, init?: RequestInit): Promise<Response>;
  close(): Promise<void>;
}

/**
 * A real Express app on port 0 with the monitor's middleware first and
 * `/metrics`; `routes` adds the app's own routes.
 */
export async function startMonitoredApp(
  routes: (app: Express, monitor: Monitor) => void,
  options: MonitorOptions = {},
): Promise<MonitoredApp> {
  const log = captureLogger();
  const monitor = createMonitor({ processMetrics: false, logger: log.logger, ...options });
  const app = express();
  app.use(monitor.middleware());
  app.get('/metrics', monitor.metricsHandler());
  routes(app, monitor);
  const server = await listenHttp(app);
  return {
    monitor,
    log,
    server,
    get: (path, init) => fetch(server.url + path, init),
    close: async () => {
      await server.close();
      await monitor.close();
    },
  };
}

/** The sample lines of one metric in a Prometheus exposition. */
export function metricLines(exposition: string, name: string): string[] {
  return exposition.split('\n').filter((line) => line.startsWith(`${name}{`) || line.startsWith(`${name} `));
}

/**
 * Returns a starter for one app per test; the app is closed after each test.
 */
export function appPerTest(): typeof startMonitoredApp {
  let current: MonitoredApp | undefined;
  afterEach(async () => {
    await current?.close();
    current = undefined;
  });
  return async (routes, options) => {
    current = await startMonitoredApp(routes, options);
    return current;
  };
}
