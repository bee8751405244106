import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ErrorBody } from '../../src/contract/response-bodies.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

describe('when no database connection is free', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp('pool_exhausted', { config: { poolSize: 1, poolAcquireTimeoutMs: 200 } });
  });
  afterAll(() => t?.close());

  it('answers 503 with Retry-After and a JSON error, then recovers by itself', async () => {
    // Another session locks the calls table, so the app's only connection waits inside a request.
    const locker = new pg.Client({ connectionString: t.schema.connectionString });
    await locker.connect();
    try {
      await locker.query('BEGIN');
      await locker.query('LOCK TABLE calls IN ACCESS EXCLUSIVE MODE');
      const holding = t.request('/api/dashboard/overview');
      await new Promise((resolve) => setTimeout(resolve, 100));

      const refused = await t.request<ErrorBody>('/api/dashboard/analytics');

      expect(refused.status).toBe(503);
      expect(refused.headers.get('retry-after')).toBe('1');
      expect(refused.body.error.code).toBe('unavailable');
      await locker.query('ROLLBACK');
      expect((await holding).status).toBe(200);
    } finally {
      await locker.end();
    }
    expect((await t.request('/api/dashboard/analytics')).status).toBe(200);
  });
});
