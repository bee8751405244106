import type { MonitorSnapshot } from '@perfkit/monitor';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requestJson, startTestApp, type TestApp } from '../support/test-app.js';

const TOKEN = 'metrics-token-for-tests';

describe('/metrics', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp('metrics', { mode: 'optimized', config: { metricsToken: TOKEN } });
  });
  afterAll(() => t?.close());

  it('serves Prometheus metrics to a scraper with the token', async () => {
    await t.request('/api/dashboard/overview');

    const response = await requestJson(t.app.url, '/metrics', { key: TOKEN });

    expect(response.status).toBe(200);
    expect(response.text).toMatch(
      /http_server_request_duration_seconds_bucket\{.*http_route="\/api\/dashboard\/overview"/,
    );
    // Buckets from 1 ms to a minute: a naive dashboard's 10–30 s is measured, not just "above 10 s".
    for (const bound of ['0.001', '0.02', '30', '60']) {
      expect(response.text).toMatch(
        new RegExp(
          `http_server_request_duration_seconds_bucket\\{.*http_route="/api/dashboard/overview".*le="${bound}"\\}`,
        ),
      );
    }
    expect(response.text).toMatch(/cache_lookups_total\{cache_namespace="data"/);
    expect(response.text).toMatch(/db_client_connection_count\{db_client_connection_pool_name="primary"/);
  });

  it("serves the monitor's snapshot, with each route's percentiles over the window, as JSON", async () => {
    for (let i = 0; i < 3; i++) await t.request('/api/dashboard/analytics');

    const response = await requestJson<MonitorSnapshot>(t.app.url, '/metrics/snapshot', { key: TOKEN });

    expect(response.status).toBe(200);
    const analytics = response.body.routes.find((r) => r.route === '/api/dashboard/analytics');
    expect(analytics?.window.count).toBe(3);
    expect(analytics?.window.p99).toBeGreaterThan(0);
  });

  it('refuses anyone without the token', async () => {
    for (const path of ['/metrics', '/metrics/snapshot']) {
      const none = await requestJson(t.app.url, path);
      const wrong = await requestJson(t.app.url, path, { key: `${TOKEN}x` });
      const apiKey = await requestJson(t.app.url, path, { key: t.key });

      expect([none.status, wrong.status, apiKey.status]).toEqual([401, 401, 401]);
    }
  });

  it('answers another method 405 and OPTIONS 204, each with Allow, like every route', async () => {
    for (const path of ['/metrics', '/metrics/snapshot']) {
      const post = await requestJson(t.app.url, path, { method: 'POST', key: TOKEN });
      const options = await requestJson(t.app.url, path, { method: 'OPTIONS' });

      expect([post.status, options.status]).toEqual([405, 204]);
      expect(post.headers.get('allow')).toBe('GET, HEAD, OPTIONS');
      expect(options.headers.get('allow')).toBe('GET, HEAD, OPTIONS');
    }
  });

  it('does not exist without a configured token', async () => {
    const plain = await startTestApp('metrics_off', { mode: 'naive' });
    try {
      expect((await requestJson(plain.app.url, '/metrics', { key: TOKEN })).status).toBe(404);
    } finally {
      await plain.close();
    }
  });
});
