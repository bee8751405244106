import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ErrorBody, errorBodySchema } from '../../src/contract/response-bodies.js';
import { parseRaw, sendRaw } from '../support/raw-http.js';
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

    it('refuses two Authorization headers, which a proxy may read as another user, with a 400', async () => {
      const other = t.manifest.users.find((user) => user.apiKey !== t.key)?.apiKey;
      // fetch folds repeated headers into one line; sent raw, each is its own.
      const head = `GET /api/agents HTTP/1.1\r\nHost: x\r\nConnection: close\r\n`;
      const response = parseRaw(
        await sendRaw(
          t.app.port,
          `${head}Authorization: Bearer ${t.key}\r\nAuthorization: Bearer ${other}\r\n\r\n`,
          { stall: true },
        ),
      );

      expect(response.status).toBe(400);
      expect(errorBodySchema.parse(response.body).error.code).toBe('bad_request');
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
