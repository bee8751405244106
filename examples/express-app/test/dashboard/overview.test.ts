import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type OverviewBody, overviewBodySchema } from '../../src/contract/response-bodies.js';
import { expectedKpis, expectedRecentActivity, type RangeName } from '../support/expected-sql.js';
import { MODES, startTestApp, type TestApp } from '../support/test-app.js';

describe.each(MODES)('%s mode', (mode) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp('overview', { mode });
  });
  afterAll(() => t?.close());

  describe('GET /api/dashboard/overview', () => {
    it.each<RangeName>(['7d', '30d', '90d'])(
      'returns the KPIs of raw rows over the last %s',
      async (range) => {
        const response = await t.request<OverviewBody>(`/api/dashboard/overview?range=${range}`);

        expect(response.status).toBe(200);
        const body = overviewBodySchema.parse(response.body);
        const expected = await expectedKpis(t.schema, t.manifest.heavyUser.id, range);
        expect(expected.totalCalls).toBeGreaterThan(0);
        expect(body.kpis).toEqual(expected);
      },
    );

    it('defaults to 30 days ending with the day of now', async () => {
      const response = await t.request<OverviewBody>('/api/dashboard/overview');

      expect(response.body.range).toBe('30d');
      expect(response.body.period).toEqual({ from: '2026-10-03', to: '2026-11-01' });
      expect(response.body.kpis).toEqual(await expectedKpis(t.schema, t.manifest.heavyUser.id, '30d'));
    });

    it('lists the 5 newest calls and leads merged, newest first', async () => {
      const response = await t.request<OverviewBody>('/api/dashboard/overview?range=7d');

      const items = response.body.recentActivity;
      expect(items.map((item) => [item.type, item.id])).toEqual(
        await expectedRecentActivity(t.schema, t.manifest.heavyUser.id, '7d'),
      );
      expect(items).toHaveLength(5);
    });

    it('shows each tenant only its own data', async () => {
      const other = t.manifest.users.find((user) => user.id !== t.manifest.heavyUser.id);
      if (!other) throw new Error('tiny seed has a single user');

      const response = await t.request<OverviewBody>('/api/dashboard/overview?range=90d', {
        key: other.apiKey,
      });

      expect(response.body.kpis).toEqual(await expectedKpis(t.schema, other.id, '90d'));
      const heavy = await expectedKpis(t.schema, t.manifest.heavyUser.id, '90d');
      expect(response.body.kpis.totalCalls).not.toBe(heavy.totalCalls);
    });

    it('sends counts as JSON numbers, not strings', async () => {
      const response = await t.request('/api/dashboard/overview');

      expect(response.text).toMatch(/"totalCalls":\d+/);
      expect(response.text).not.toMatch(/"totalCalls":"/);
    });
  });
});
