import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ErrorBody, OverviewBody } from '../../src/contract/response-bodies.js';
import { type CallEndedResponse, callEndedResponseSchema } from '../../src/contract/write-bodies.js';
import { MODES, startTestApp, type TestApp } from '../support/test-app.js';

describe.each(MODES)('%s mode', (mode) => {
  let t: TestApp;
  let agentId: number;
  beforeAll(async () => {
    t = await startTestApp('webhook', { mode });
    agentId = t.heavyAgentId;
  });
  afterAll(() => t?.close());

  /** A call-ended delivery; `overrides` change single fields. */
  function delivery(overrides: Record<string, unknown> = {}) {
    return {
      agentId,
      status: 'completed',
      durationSeconds: 120,
      costCents: 24,
      lead: { name: 'Ada Lovelace', phone: '+15550100', score: 91, status: 'qualified' },
      ...overrides,
    };
  }

  function deliver(key: string | undefined, body: unknown) {
    return t.request<CallEndedResponse>('/api/webhooks/call-ended', {
      method: 'POST',
      body,
      headers: key === undefined ? {} : { 'idempotency-key': key },
    });
  }

  async function rowCounts() {
    const result = await sql<{ calls: number; leads: number }>`
    SELECT (SELECT count(*) FROM calls) AS calls, (SELECT count(*) FROM leads) AS leads`.execute(t.schema.db);
    return result.rows[0];
  }

  describe('POST /api/webhooks/call-ended', () => {
    it('records the call and its lead, ending now', async () => {
      const before = await rowCounts();

      const response = await deliver('evt-first', delivery());

      expect(response.status).toBe(201);
      const body = callEndedResponseSchema.parse(response.body);
      expect(body.call).toMatchObject({ agentId, status: 'completed', durationSeconds: 120, costCents: 24 });
      expect(body.call.endedAt).toBe('2026-11-01T15:00:00.000Z');
      expect(body.call.createdAt).toBe('2026-11-01T14:58:00.000Z');
      expect(body.lead).toMatchObject({ callId: body.call.id, name: 'Ada Lovelace', score: 91 });
      expect(await rowCounts()).toEqual({ calls: (before?.calls ?? 0) + 1, leads: (before?.leads ?? 0) + 1 });
    });

    it('applies a delivery sent twice once and answers the retry identically', async () => {
      const before = await rowCounts();

      const first = await deliver('evt-retried', delivery({ durationSeconds: 61 }));
      const retry = await deliver('evt-retried', delivery({ durationSeconds: 61 }));

      expect(first.status).toBe(201);
      expect(retry.status).toBe(201);
      expect(retry.text).toBe(first.text);
      expect(retry.headers.get('idempotent-replayed')).toBe('true');
      expect(await rowCounts()).toEqual({ calls: (before?.calls ?? 0) + 1, leads: (before?.leads ?? 0) + 1 });
    });

    it('applies concurrent deliveries of the same key once', async () => {
      const before = await rowCounts();

      const responses = await Promise.all(
        Array.from({ length: 5 }, () => deliver('evt-concurrent', delivery({ lead: undefined }))),
      );

      expect(new Set(responses.map((response) => response.text)).size).toBe(1);
      expect(responses.map((response) => response.status)).toEqual([201, 201, 201, 201, 201]);
      expect((await rowCounts())?.calls).toBe((before?.calls ?? 0) + 1);
    });

    it('refuses the same key with a different body with a 409', async () => {
      await deliver('evt-reused', delivery());

      const response = await t.request<ErrorBody>('/api/webhooks/call-ended', {
        method: 'POST',
        body: delivery({ costCents: 25 }),
        headers: { 'idempotency-key': 'evt-reused' },
      });

      expect(response.status).toBe(409);
      expect(response.body.error.code).toBe('idempotency_key_reused');
    });

    it('treats a retry with its keys in another order as the same delivery', async () => {
      const body = delivery({ durationSeconds: 33 });
      const reordered = Object.fromEntries(Object.entries(body).reverse());

      const first = await deliver('evt-reordered', body);
      const retry = await deliver('evt-reordered', reordered);

      expect(first.status).toBe(201);
      expect(retry.status).toBe(201);
      expect(retry.headers.get('idempotent-replayed')).toBe('true');
      expect(retry.text).toBe(first.text);
    });

    it.each(['0000-01-01T00:00:00Z', '1999-12-31T23:59:59Z', '2100-01-01T00:00:00Z', '2026-11-03T15:00:01Z'])(
      'refuses endedAt %s with a 400, and a retry of it too',
      async (endedAt) => {
        const before = await rowCounts();

        const first = await deliver(`evt-ended-${endedAt}`, delivery({ endedAt }));
        const retry = await deliver(`evt-ended-${endedAt}`, delivery({ endedAt }));

        expect([first.status, retry.status]).toEqual([400, 400]);
        expect(await rowCounts()).toEqual(before);
      },
    );

    it('requires an Idempotency-Key header', async () => {
      const response = await t.request<ErrorBody>('/api/webhooks/call-ended', {
        method: 'POST',
        body: delivery(),
      });

      expect(response.status).toBe(400);
      expect(response.body.error.message).toMatch(/Idempotency-Key header is required/);
    });

    it('says an Idempotency-Key over 255 characters is too long, not missing', async () => {
      const response = await t.request<ErrorBody>('/api/webhooks/call-ended', {
        method: 'POST',
        body: delivery(),
        headers: { 'idempotency-key': 'k'.repeat(256) },
      });

      expect(response.status).toBe(400);
      expect(response.body.error.message).toMatch(/at most 255 characters/);
      expect(response.body.error.message).not.toMatch(/required/);
    });

    it("refuses a call of another user's agent with a 404 and records nothing", async () => {
      const other = await t.schema.db
        .selectFrom('agents')
        .select('id')
        .where('user_id', '<>', t.manifest.heavyUser.id)
        .executeTakeFirstOrThrow();
      const before = await rowCounts();

      const response = await deliver('evt-foreign', delivery({ agentId: other.id }));

      expect(response.status).toBe(404);
      expect(await rowCounts()).toEqual(before);
    });

    it('makes the call visible on the next overview read, listed before leads of the same instant', async () => {
      const before = await t.request<OverviewBody>('/api/dashboard/overview?range=7d');

      // Earlier deliveries left leads created at "now"; a zero-length call starts at "now" too.
      const response = await deliver(
        'evt-visible',
        delivery({ durationSeconds: 0, costCents: 1000, lead: undefined }),
      );
      const after = await t.request<OverviewBody>('/api/dashboard/overview?range=7d');

      expect(after.body.kpis.totalCalls).toBe(before.body.kpis.totalCalls + 1);
      expect(after.body.kpis.totalCostCents).toBe(before.body.kpis.totalCostCents + 1000);
      expect(after.body.recentActivity[0]).toMatchObject({ type: 'call', id: response.body.call.id });
    });
  });
});
