import { randomBytes } from 'node:crypto';
import { hashApiKey } from '@perfkit/queries/admin';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AnalyticsBody, analyticsBodySchema } from '../../src/contract/response-bodies.js';
import {
  expectedAgentPerformance,
  expectedLeadQuality,
  expectedSeries,
  type RangeName,
} from '../support/expected-sql.js';
import { MODES, startTestApp, type TestApp } from '../support/test-app.js';

describe.each(MODES)('%s mode', (mode) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp('analytics', { mode });
  });
  afterAll(() => t?.close());

  const cases: Array<[RangeName, 'day' | 'week']> = [
    ['7d', 'day'],
    ['30d', 'day'],
    ['30d', 'week'],
    ['90d', 'week'],
  ];

  describe('GET /api/dashboard/analytics', () => {
    it.each(cases)(
      'over %s by %s, returns every bucket with the counts of raw rows',
      async (range, bucket) => {
        const response = await t.request<AnalyticsBody>(
          `/api/dashboard/analytics?range=${range}&bucket=${bucket}`,
        );

        expect(response.status).toBe(200);
        const body = analyticsBodySchema.parse(response.body);
        const expected = await expectedSeries(t.schema, t.manifest.heavyUser.id, range, bucket);
        expect(body.callsOverTime).toEqual(expected.callsOverTime);
        expect(body.leadsOverTime).toEqual(expected.leadsOverTime);
      },
    );

    it('has one zero-filled point per day of the range, oldest first', async () => {
      const response = await t.request<AnalyticsBody>('/api/dashboard/analytics?range=7d');

      expect(response.body.callsOverTime.map((point) => point.bucketStart)).toEqual([
        '2026-10-26',
        '2026-10-27',
        '2026-10-28',
        '2026-10-29',
        '2026-10-30',
        '2026-10-31',
        '2026-11-01',
      ]);
    });

    it('zero-fills every bucket, band and count of a tenant with no calls or leads yet', async () => {
      const key = `pk_empty_${randomBytes(12).toString('hex')}`;
      await t.schema.db
        .insertInto('users')
        .values({ email: `empty-${mode}@example.com`, api_key_hash: hashApiKey(key) })
        .execute();

      const response = await t.request<AnalyticsBody>('/api/dashboard/analytics?range=30d&bucket=week', {
        key,
      });

      expect(response.status).toBe(200);
      const body = analyticsBodySchema.parse(response.body);
      const weeks = ['2026-09-28', '2026-10-05', '2026-10-12', '2026-10-19', '2026-10-26'];
      expect(body.callsOverTime).toEqual(
        weeks.map((bucketStart) => ({ bucketStart, total: 0, completed: 0, failed: 0 })),
      );
      expect(body.leadsOverTime).toEqual(
        weeks.map((bucketStart) => ({ bucketStart, total: 0, qualified: 0, converted: 0 })),
      );
      expect(body.leadQuality).toEqual({ hot: 0, warm: 0, cold: 0, unscored: 0 });
      expect(body.agentPerformance).toEqual([]);
    });

    it('labels weekly buckets by their Monday, the first one before the range when it starts mid-week', async () => {
      const response = await t.request<AnalyticsBody>('/api/dashboard/analytics?range=30d&bucket=week');

      // 2026-10-03 is a Saturday; its ISO week starts on Monday 2026-09-28.
      expect(response.body.callsOverTime.map((point) => point.bucketStart)).toEqual([
        '2026-09-28',
        '2026-10-05',
        '2026-10-12',
        '2026-10-19',
        '2026-10-26',
      ]);
    });

    it('splits leads of the range by score into hot, warm, cold and unscored', async () => {
      const response = await t.request<AnalyticsBody>('/api/dashboard/analytics?range=90d');

      const expected = await expectedLeadQuality(t.schema, t.manifest.heavyUser.id, '90d');
      expect(expected.unscored).toBeGreaterThan(0);
      expect(response.body.leadQuality).toEqual(expected);
    });

    it('ranks agents by calls in the range, ties by agent id', async () => {
      const response = await t.request<AnalyticsBody>('/api/dashboard/analytics?range=30d');

      expect(response.body.agentPerformance).toEqual(
        await expectedAgentPerformance(t.schema, t.manifest.heavyUser.id, '30d'),
      );
    });
  });
});
