import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorBodySchema } from '../../src/contract/response-bodies.js';
import { parseRaw, sendRaw } from '../support/raw-http.js';
import { MODES, startTestApp, type TestApp } from '../support/test-app.js';

describe.each(MODES)('%s mode: requests Node refuses before the app sees them', (mode) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp('client_errors', { mode });
  });
  afterAll(() => t?.close());

  it('answers headers larger than the server accepts with 431 and the JSON error body', async () => {
    const response = await t.request('/api/dashboard/overview', {
      headers: { 'x-padding': 'x'.repeat(20_000) },
    });

    expect(response.status).toBe(431);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(errorBodySchema.parse(response.body).error.code).toBe('headers_too_large');
  });

  it('answers a request that is not valid HTTP with 400 and the JSON error body', async () => {
    const answer = parseRaw(
      await sendRaw(t.app.port, 'GET /api/agents HTTP/1.1\r\nHost: x\r\nno colon here\r\n\r\n'),
    );

    expect(answer.status).toBe(400);
    expect(answer.contentType).toMatch(/^application\/json/);
    expect(errorBodySchema.parse(answer.body).error.code).toBe('bad_request');
  });

  it.each([
    [
      'an Expect other than 100-continue',
      'POST /api/leads HTTP/1.1\r\nHost: x\r\nExpect: foo\r\n\r\n',
      417,
      'expectation_failed',
    ],
    ['a CONNECT', 'CONNECT /api/agents HTTP/1.1\r\nHost: x\r\n\r\n', 405, 'method_not_allowed'],
    ['an HTTP/1.1 request without Host', 'GET /health HTTP/1.1\r\n\r\n', 400, 'bad_request'],
  ])('answers %s with the JSON error body', async (_what, raw, status, code) => {
    const answer = parseRaw(await sendRaw(t.app.port, raw));

    expect(answer.status).toBe(status);
    expect(answer.contentType).toMatch(/^application\/json/);
    expect(errorBodySchema.parse(answer.body).error.code).toBe(code);
  });

  it('answers an HTTP/1.0 request without Host, which needs none', async () => {
    // Kept open: a client's half-close aborts a request still being answered (here, the database's check).
    const answer = parseRaw(await sendRaw(t.app.port, 'GET /health HTTP/1.0\r\n\r\n', { stall: true }));

    expect(answer.status).toBe(200);
  });
});

describe.each(MODES)('%s mode: a request target with a fragment, which clients must not send', (mode) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp('fragment_target', { mode });
  });
  afterAll(() => t?.close());

  it("reads no query after `#`, and the next request's query string is still read as sent", async () => {
    const head = `HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${t.key}\r\nConnection: close\r\n\r\n`;
    const fragment = parseRaw(
      await sendRaw(t.app.port, `GET /api/dashboard/analytics#?bucket=week&range=7d ${head}`, {
        stall: true,
      }),
    );
    const query = await t.request('/api/dashboard/analytics?bucket=week&range=7d');

    expect(fragment.status).toBe(200);
    expect(fragment.body).toMatchObject({ range: '30d', bucket: 'day' });
    expect(query.body).toMatchObject({ range: '7d', bucket: 'week' });
  });
});

describe('a client that sends its request too slowly', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp('slow_client', { config: { requestTimeoutMs: 1_000 } });
  });
  afterAll(() => t?.close());

  it('gets 408 and the JSON error body once REQUEST_TIMEOUT_MS has passed, not minutes later', async () => {
    const head = `POST /api/leads HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${t.key}\r\n`;
    const started = performance.now();
    const answer = parseRaw(
      await sendRaw(t.app.port, `${head}Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{}`, {
        stall: true,
      }),
    );

    expect(answer.status).toBe(408);
    expect(errorBodySchema.parse(answer.body).error.code).toBe('request_timeout');
    // Node's default would answer after 300 s; the margin is for a loaded machine.
    expect(performance.now() - started).toBeLessThan(20_000);
  }, 30_000);

  it('answers once when the app refused the request before its slow body timed out', async () => {
    const answer = await sendRaw(
      t.app.port,
      'POST /api/leads HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{}',
      { stall: true },
    );

    expect(answer.match(/^HTTP\/1\.1 \d{3}/gm)).toEqual(['HTTP/1.1 401']);
  }, 30_000);
});
