import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ErrorBody, errorBodySchema } from '../../src/contract/response-bodies.js';
import { MODES, startTestApp, type TestApp } from '../support/test-app.js';

describe.each(MODES)('%s mode', (mode) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp('auth', { mode });
  });
  afterAll(() => t?.close());

  const endpoints = ['/api/dashboard/overview', '/api/dashboard/analytics', '/api/agents', '/api/agents/1'];

  describe('API-key auth', () => {
    it.each(endpoints)('refuses %s without a key with a 401 JSON error', async (path) => {
      const response = await t.request<ErrorBody>(path, { key: null });

      expect(response.status).toBe(401);
      expect(errorBodySchema.parse(response.body).error.code).toBe('unauthorized');
      expect(response.headers.get('www-authenticate')).toBe('Bearer');
    });

    it.each(endpoints)('refuses %s with a wrong key', async (path) => {
      const response = await t.request<ErrorBody>(path, { key: `${t.key}x` });

      expect(response.status).toBe(401);
      expect(response.body.error.code).toBe('unauthorized');
    });

    it('refuses a key sent without the Bearer scheme', async () => {
      const response = await t.request('/api/agents', { key: null, headers: { authorization: t.key } });

      expect(response.status).toBe(401);
    });

    it('reads the scheme case-insensitively, as RFC 9110 says', async () => {
      const statuses = await Promise.all(
        ['bearer', 'BEARER'].map(
          async (scheme) =>
            (await t.request('/api/agents', { key: null, headers: { authorization: `${scheme} ${t.key}` } }))
              .status,
        ),
      );

      expect(statuses).toEqual([200, 200]);
    });

    it('accepts every seeded user by their own key', async () => {
      for (const user of t.manifest.users) {
        const response = await t.request('/api/dashboard/overview', { key: user.apiKey });
        expect(response.status).toBe(200);
      }
    });

    it('stores keys only hashed', async () => {
      const rows = await t.schema.db.selectFrom('users').select('api_key_hash').execute();

      for (const user of t.manifest.users) {
        expect(rows.map((row) => row.api_key_hash)).not.toContain(user.apiKey);
      }
    });
  });
});
