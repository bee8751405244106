import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AnalyticsBody, ErrorBody, OverviewBody } from '../../src/contract/response-bodies.js';
import { type LeadBody, leadBodySchema } from '../../src/contract/write-bodies.js';
import { expectedKpis } from '../support/expected-sql.js';
import { MODES, startTestApp, type TestApp } from '../support/test-app.js';

describe.each(MODES)('%s mode', (mode) => {
  let t: TestApp;
  let agentId: number;
  beforeAll(async () => {
    t = await startTestApp('leads', { mode });
    agentId = t.heavyAgentId;
  });
  afterAll(() => t?.close());

  function createLead(body: Record<string, unknown>, key?: string) {
    return t.request<LeadBody>('/api/leads', { method: 'POST', body, ...(key ? { key } : {}) });
  }

  describe('POST /api/leads', () => {
    it('creates a lead that the next overview read shows', async () => {
      const response = await createLead({ agentId, name: 'Grace Hopper', phone: '+15550101', score: 85 });

      expect(response.status).toBe(201);
      const lead = leadBodySchema.parse(response.body);
      expect(lead).toMatchObject({ agentId, name: 'Grace Hopper', score: 85, status: 'new', callId: null });
      const overview = await t.request<OverviewBody>('/api/dashboard/overview?range=7d');
      expect(overview.body.kpis).toEqual(await expectedKpis(t.schema, t.manifest.heavyUser.id, '7d'));
      expect(overview.body.recentActivity[0]).toMatchObject({
        type: 'lead',
        id: lead.id,
        name: 'Grace Hopper',
      });
    });

    it("refuses another user's agent with a 404", async () => {
      const other = t.otherUser;

      const response = await createLead({ agentId, name: 'Eve', phone: '+15550102' }, other.apiKey);

      expect(response.status).toBe(404);
    });

    it('validates the body', async () => {
      const response = await createLead({ agentId, name: '', phone: '1', score: 101, extra: true });

      expect(response.status).toBe(400);
      expect((response.body as unknown as ErrorBody).error.code).toBe('invalid_request');
    });

    it.each([
      ['a NUL character', 'Ada\u0000Lovelace'],
      ['a lone surrogate', 'Ada \ud800'],
      ['201 astral characters', '😀'.repeat(201)],
    ])('refuses a name with %s with a 400, never a 500', async (_what, name) => {
      const response = await createLead({ agentId, name, phone: '+15550100' });

      expect(response.status).toBe(400);
      expect((response.body as unknown as ErrorBody).error.code).toBe('invalid_request');
    });

    it('counts a name in characters, not UTF-16 units: 200 astral characters fit', async () => {
      const name = '😀'.repeat(200);

      const response = await createLead({ agentId, name, phone: '+15550100' });

      expect(response.status).toBe(201);
      expect(response.body.name).toBe(name);
    });
  });

  describe('PATCH /api/leads/:id', () => {
    it('updates a lead and the next analytics read counts it as converted', async () => {
      const created = await createLead({ agentId, name: 'Alan Turing', phone: '+15550103', score: 40 });
      const before = await t.request<AnalyticsBody>('/api/dashboard/analytics?range=7d');

      const response = await t.request<LeadBody>(`/api/leads/${created.body.id}`, {
        method: 'PATCH',
        body: { status: 'converted', score: 95 },
      });
      const after = await t.request<AnalyticsBody>('/api/dashboard/analytics?range=7d');

      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({ id: created.body.id, status: 'converted', score: 95 });
      expect(after.body.leadsOverTime.at(-1)?.converted).toBe(
        (before.body.leadsOverTime.at(-1)?.converted ?? 0) + 1,
      );
      expect(after.body.leadQuality.hot).toBe(before.body.leadQuality.hot + 1);
      expect(after.body.leadQuality.cold).toBe(before.body.leadQuality.cold - 1);
    });

    it("answers another user's lead with a 404", async () => {
      const created = await createLead({ agentId, name: 'Ada', phone: '+15550104' });
      const other = t.otherUser;

      const response = await t.request(`/api/leads/${created.body.id}`, {
        method: 'PATCH',
        body: { status: 'lost' },
        key: other.apiKey,
      });

      expect(response.status).toBe(404);
    });

    it('refuses an empty update', async () => {
      const response = await t.request('/api/leads/1', { method: 'PATCH', body: {} });

      expect(response.status).toBe(400);
    });
  });
});
