import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderBody } from '../../src/http/reply.js';
import { offsetClock } from '../support/offset-clock.js';
import { MODES, startTestApp, type TestApp } from '../support/test-app.js';

const READS = [
  '/api/dashboard/overview',
  '/api/dashboard/analytics?range=7d',
  '/api/agents',
  '/api/agents/1',
];

describe('ETags', () => {
  it('differ between two users for byte-identical bodies', () => {
    const body = { kpis: { totalCalls: 0 } };

    expect(renderBody(1, body).json).toBe(renderBody(2, body).json);
    expect(renderBody(1, body).etag).not.toBe(renderBody(2, body).etag);
  });
});

describe.each(MODES)('%s mode', (mode) => {
  let t: TestApp;
  let reads: string[];
  beforeAll(async () => {
    t = await startTestApp('http_caching', { mode });
    reads = READS.map((path) => path.replace('/agents/1', `/agents/${t.heavyAgentId}`));
  });
  afterAll(() => t?.close());

  it('answers a repeat view with 304 and no body when If-None-Match names the ETag', async () => {
    for (const path of reads) {
      const first = await t.request(path);
      const etag = first.headers.get('etag');
      expect(etag, path).toMatch(/^"[\w-]{32}"$/);

      const repeat = await t.request(path, { headers: { 'if-none-match': `W/"other", ${etag}` } });

      expect(repeat.status, path).toBe(304);
      expect(repeat.text).toBe('');
      expect(repeat.headers.get('etag')).toBe(etag);
    }
  });

  it('answers HEAD with the headers of GET and no body', async () => {
    for (const path of reads) {
      const get = await t.request(path);
      const head = await t.request(path, { method: 'HEAD' });

      expect(head.status, path).toBe(200);
      expect(head.text, path).toBe('');
      expect(head.headers.get('content-length'), path).toBe(String(Buffer.byteLength(get.text)));
      expect(head.headers.get('content-type'), path).toBe('application/json; charset=utf-8');
      expect(head.headers.get('etag'), path).toBe(get.headers.get('etag'));
    }
  });

  it("never answers 304 to another tenant's ETag", async () => {
    const mine = await t.request('/api/dashboard/overview');

    const theirs = await t.request('/api/dashboard/overview', {
      key: t.otherUser.apiKey,
      headers: { 'if-none-match': mine.headers.get('etag') ?? '' },
    });

    expect(theirs.status).toBe(200);
  });

  it('marks every read private and varying by Authorization', async () => {
    for (const path of reads) {
      const response = await t.request(path);
      expect(response.headers.get('cache-control'), path).toMatch(/^private, /);
      expect(response.headers.get('vary')).toMatch(/Authorization/);
    }
  });

  it('times the request in Server-Timing, with its db section', async () => {
    const response = await t.request('/api/dashboard/analytics?range=90d&bucket=week');

    const timing = response.headers.get('server-timing') ?? '';
    expect(timing).toMatch(/(^|, )db;dur=[\d.]+/);
    expect(timing).toMatch(/(^|, )total;dur=[\d.]+/);
  });
});

describe('optimized mode', () => {
  const clock = offsetClock();
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp('http_caching_optimized', {
      mode: 'optimized',
      start: { optimized: { cacheClock: clock } },
    });
  });
  afterAll(() => t?.close());

  it('says miss, then hit, then stale once the entry aged past its TTL', async () => {
    const path = '/api/dashboard/overview?range=7d';
    const miss = await t.request(path);
    const hit = await t.request(path);
    clock.advance(61_000); // overview: fresh 60 s, then served stale for 5 min while it refreshes
    const stale = await t.request(path);

    expect([miss, hit, stale].map((r) => r.headers.get('x-cache'))).toEqual(['miss', 'hit', 'stale']);
    expect(hit.text).toBe(miss.text);
    expect(stale.text).toBe(miss.text);
  });

  it('refreshes a stale entry in the background: the next reads are hits again', async () => {
    const path = '/api/dashboard/analytics?range=7d&bucket=week';
    await t.request(path);
    clock.advance(5 * 60_000 + 1_000); // analytics: fresh 5 min, then stale while it refreshes
    expect((await t.request(path)).headers.get('x-cache')).toBe('stale');

    let next = await t.request(path);
    for (let tries = 0; tries < 50 && next.headers.get('x-cache') !== 'hit'; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      next = await t.request(path);
    }
    expect(next.headers.get('x-cache')).toBe('hit');
  });

  it('misses again after a write by the same user', async () => {
    const path = '/api/dashboard/overview?range=30d';
    await t.request(path);
    expect((await t.request(path)).headers.get('x-cache')).toBe('hit');

    const created = await t.request('/api/leads', {
      method: 'POST',
      body: { agentId: t.heavyAgentId, name: 'Grace Hopper', phone: '+15550111' },
    });

    expect(created.status).toBe(201);
    expect((await t.request(path)).headers.get('x-cache')).toBe('miss');
  });

  it('lets a browser reuse dashboards briefly: private, short max-age, stale-while-revalidate', async () => {
    const response = await t.request('/api/dashboard/overview');

    expect(response.headers.get('cache-control')).toBe('private, max-age=5, stale-while-revalidate=30');
  });

  it('names the cache and elevenlabs sections in Server-Timing', async () => {
    const overview = await t.request('/api/dashboard/overview?range=90d');
    const agents = await t.request('/api/agents');

    expect(overview.headers.get('server-timing')).toMatch(/(^|, )cache;dur=[\d.]+/);
    expect(agents.headers.get('server-timing')).toMatch(/(^|, )elevenlabs;dur=[\d.]+/);
  });
});
