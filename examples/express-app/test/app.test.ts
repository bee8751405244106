import { encodeAgentsCursor } from '@perfkit/queries';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BODY_LIMIT_BYTES } from '../src/app.js';
import { type ErrorBody, errorBodySchema } from '../src/contract/response-bodies.js';
import { MODES, startTestApp, type TestApp } from './support/test-app.js';

describe.each(MODES)('%s mode', (mode) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp('app', { mode });
  });
  afterAll(() => t?.close());

  const badQueries = [
    '/api/dashboard/overview?range=1y',
    '/api/dashboard/overview?range=7',
    '/api/dashboard/overview?range=7d&range=30d',
    '/api/dashboard/analytics?bucket=month',
    '/api/dashboard/analytics?range=365d&bucket=day',
    '/api/agents?limit=0',
    '/api/agents?limit=101',
    '/api/agents?limit=ten',
    '/api/agents?limit=2.5',
    '/api/agents?cursor=not*base64',
    `/api/agents?cursor=${Buffer.from('{"id":1}').toString('base64url')}`,
    `/api/agents?cursor=${Buffer.from('[1,2]').toString('base64url')}`,
    '/api/agents/abc',
    '/api/agents/0',
    '/api/agents/%E0',
    '/api/dashboard/overview?range=%E0',
    ...['2026-02-30', '2026-13-01', '0000-01-01'].map(
      (day) =>
        `/api/agents?cursor=${Buffer.from(JSON.stringify([`${day}T00:00:00.000000Z`, 1])).toString('base64url')}`,
    ),
  ];

  describe('bad input', () => {
    it.each(badQueries)('answers %s with a 400 JSON error and no stack trace', async (path) => {
      const response = await t.request<ErrorBody>(path);

      expect(response.status).toBe(400);
      expect(errorBodySchema.parse(response.body).error.code).toMatch(/^invalid_/);
      expect(response.text).not.toMatch(/\bat .*\.[jt]s:\d+/);
    });

    it('accepts a cursor it issued', async () => {
      const cursor = encodeAgentsCursor({ createdAt: '2026-06-01T15:00:00.000000Z', id: 3 });

      const response = await t.request(`/api/agents?cursor=${cursor}`);

      expect(response.status).toBe(200);
    });

    it('refuses a body over the size limit with a 413 JSON error', async () => {
      const response = await t.request<ErrorBody>('/api/leads', {
        method: 'POST',
        body: { agentId: 1, name: 'x'.repeat(BODY_LIMIT_BYTES + 1), phone: '+15550100' },
      });

      expect(response.status).toBe(413);
      expect(errorBodySchema.parse(response.body).error.code).toBe('payload_too_large');
    });

    it('refuses malformed JSON with a 400', async () => {
      const response = await t.request<ErrorBody>('/api/leads', { method: 'POST', body: '{"agentId":' });

      expect(response.status).toBe(400);
      expect(response.body.error.code).toBe('invalid_json');
    });

    it('refuses JSON that is not an object with a 400 that says so', async () => {
      const response = await t.request<ErrorBody>('/api/leads', { method: 'POST', body: 'null' });

      expect(response.status).toBe(400);
      expect(response.body.error).toEqual({
        code: 'invalid_json',
        message: 'The request body is not a valid JSON object',
      });
    });

    it('refuses a write whose body is not JSON with a 415', async () => {
      const response = await t.request<ErrorBody>('/api/leads', {
        method: 'POST',
        body: 'agentId=1&name=Ada',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });

      expect(response.status).toBe(415);
      expect(response.body.error.code).toBe('unsupported_media_type');
    });
  });

  describe('routing', () => {
    it('answers an unknown route with a 404 JSON error', async () => {
      const response = await t.request<ErrorBody>('/api/nothing-here');

      expect(response.status).toBe(404);
      expect(errorBodySchema.parse(response.body).error.code).toBe('not_found');
    });

    it.each([
      ['DELETE', '/api/dashboard/overview', 'GET, HEAD, OPTIONS'],
      ['POST', '/api/agents/1', 'GET, HEAD, OPTIONS'],
      ['GET', '/api/leads', 'POST, OPTIONS'],
      ['PUT', '/api/leads/1', 'PATCH, OPTIONS'],
      ['GET', '/api/webhooks/call-ended', 'POST, OPTIONS'],
      ['DELETE', '/health', 'GET, HEAD, OPTIONS'],
    ])('answers %s %s with a 405 JSON error that names the allowed methods', async (method, path, allow) => {
      const response = await t.request<ErrorBody>(path, { method });

      expect(response.status).toBe(405);
      expect(response.headers.get('allow')).toBe(allow);
      expect(errorBodySchema.parse(response.body).error.code).toBe('method_not_allowed');
    });

    it.each(['/api/dashboard/analytics', '/health'])(
      'answers OPTIONS on %s with 204 and its methods, without an API key',
      async (path) => {
        const response = await t.request(path, { method: 'OPTIONS', key: null });

        expect(response.status).toBe(204);
        expect(response.headers.get('allow')).toBe('GET, HEAD, OPTIONS');
      },
    );

    it('answers HEAD on a read route like GET, without a body', async () => {
      const response = await t.request('/api/dashboard/overview', { method: 'HEAD' });

      expect(response.status).toBe(200);
      expect(response.headers.get('etag')).toMatch(/^"/);
      expect(response.text).toBe('');
    });

    it('reports health without auth', async () => {
      const response = await t.request('/health', { key: null });

      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({ status: 'ok', mode, database: 'up' });
    });
  });
});
