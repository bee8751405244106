import { describe, expect, it } from 'vitest';
import { createMonitor } from '../../src/index.js';
import { appPerTest, type MonitoredApp } from '../helpers/monitored-app.js';

const start = appPerTest();
let app: MonitoredApp | undefined;

describe('Prometheus metrics', () => {
  it('serves OpenTelemetry-named metrics and process metrics in the Prometheus text format', async () => {
    app = await start((a) => a.get('/ping', (_req, res) => res.end()), { processMetrics: true });
    await app.get('/ping');
    const response = await app.get('/metrics');
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const exposition = await response.text();
    for (const name of [
      'http_server_request_duration_seconds',
      'db_client_operation_duration_seconds',
      'http_client_request_duration_seconds',
      'db_client_connection_count',
      'db_client_connection_pending_requests',
      'cache_lookups_total',
      'nodejs_eventloop_lag_p99_seconds',
      'nodejs_heap_size_used_bytes',
      'nodejs_gc_duration_seconds',
    ]) {
      expect(exposition).toContain(`# TYPE ${name} `);
    }
    expect(exposition).toContain('# TYPE http_server_request_duration_seconds histogram');
  });

  it('lets a process create monitors twice, each with its own registry', async () => {
    const first = createMonitor({ accessLog: false });
    const second = createMonitor({ accessLog: false });
    expect(first.registry).not.toBe(second.registry);
    const [a, b] = await Promise.all([first.registry.metrics(), second.registry.metrics()]);
    expect(a).toContain('# TYPE http_server_request_duration_seconds histogram');
    expect(b).toContain('# TYPE nodejs_heap_size_used_bytes gauge');
    await Promise.all([first.close(), second.close()]);
  });
});
