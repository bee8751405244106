import { catalogQueries } from '@perfkit/queries/admin';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentsListBody } from '../src/contract/response-bodies.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/** The monitor's normalisation of a statement: values and placeholders become `?`, whitespace single. */
function shape(sql: string): string {
  return sql
    .replace(/'(?:[^']|'')*'/g, '?')
    .replace(/\$\d+/g, '?')
    .replace(/(?<![\w$.])\d+(?:\.\d+)?\b/g, '?')
    .replace(/\s+/g, ' ')
    .trim();
}

describe('naive mode and the query catalog', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp('naive_catalog', { mode: 'naive' });
  });
  afterAll(() => t?.close());

  it("runs only the catalog's naive queries, so `perf-cli audit` audits what runs", async () => {
    await t.request('/api/dashboard/overview');
    await t.request('/api/dashboard/analytics?range=90d&bucket=week');
    const page = await t.request<AgentsListBody>('/api/agents?limit=2');
    await t.request(`/api/agents?limit=2&cursor=${page.body.nextCursor}`);
    await t.request(`/api/agents/${t.heavyAgentId}`);

    const catalog = await catalogQueries(t.schema.db, { userId: t.manifest.heavyUser.id });
    const naiveShapes = new Set(catalog.filter((q) => q.kind === 'naive').map((q) => shape(q.sql)));
    const executed = t.app.monitor
      .snapshot()
      .queries.map((q) => q.shape)
      .filter((s) => !/from "users" where "api_key_hash"/.test(s) && s !== 'SELECT ?');

    expect(executed.length).toBeGreaterThanOrEqual(7);
    expect(executed.filter((s) => !naiveShapes.has(s))).toEqual([]);
  });
});
