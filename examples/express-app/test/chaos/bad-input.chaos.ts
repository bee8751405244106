import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Mode } from '../../src/config.js';
import { errorBodySchema } from '../../src/contract/response-bodies.js';
import type { RunningApp } from '../../src/server.js';
import {
  type JsonResponse,
  MODES,
  type RequestOptions,
  requestJson,
  seedTestData,
  type TestData,
} from '../support/test-app.js';
import { startChaosApp } from './support/chaos-app.js';
import { printFigures, type RunningLoad, startLoad } from './support/load.js';
import { loadTenants, pick, randomRead, type Tenant } from './support/traffic.js';

/** Inputs per property and mode. */
const RUNS = 150;
/** A stack frame, a source path or a module path: none may reach a client. */
const STACK_TRACE = /\n\s+at |node:internal|node_modules|\.[tj]s:\d+/;

/** Values that broke or nearly broke parsers before: SQL, dates that do not exist, numbers JS and PostgreSQL disagree on. */
const NASTY = [
  "' OR 1=1 --",
  "'; DROP TABLE calls; --",
  '"; SELECT pg_sleep(10); --',
  '\\',
  '%',
  '%00',
  '%E0',
  '%C0%AF',
  '..%2F..%2Fetc%2Fpasswd',
  '2026-02-30T00:00:00.000000Z',
  '2026-13-01T00:00:00Z',
  '0000-01-01T00:00:00Z',
  '-271821-04-20T00:00:00Z',
  '9999-12-31T23:59:59.999999Z',
  '-1',
  '0',
  '1e309',
  '9007199254740993',
  '99999999999999999999',
  'NaN',
  'Infinity',
  'null',
  'undefined',
  'true',
  '[]',
  '{}',
  '__proto__',
  'constructor',
  '\u0000',
  '\uD800',
  '\uDFFF',
  '𝕏😀\u200D',
  '\u202E',
  'a'.repeat(5_000),
];

/** Text of every kind: nasty values, any code point (astral included), lone surrogates, control characters. */
const anyText = fc.oneof(
  fc.constantFrom(...NASTY),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'binary-ascii', maxLength: 40 }),
  fc.string({
    unit: fc.integer({ min: 0xd800, max: 0xdfff }).map((code) => String.fromCharCode(code)),
    maxLength: 3,
  }),
  fc.integer().map(String),
  fc.double().map(String),
);

/** Percent-encoded UTF-8; a lone surrogate, which has none, as the bytes a careless encoder would send. */
function percentEncoded(text: string): string {
  try {
    return encodeURIComponent(text);
  } catch {
    return '%ED%A0%80';
  }
}

/** Text percent-encoded, or raw bytes percent-encoded (malformed UTF-8 included), or URL syntax as typed. */
const urlPart = fc.oneof(
  anyText.map(percentEncoded),
  fc
    .uint8Array({ minLength: 1, maxLength: 12 })
    .map((bytes) =>
      [...bytes].map((byte) => `%${byte.toString(16).padStart(2, '0').toUpperCase()}`).join(''),
    ),
  fc.constantFrom('%', '%%', '%G1', '..', '.', '%2e%2e', ';', ',', '&', '=', '+', '%2B'),
);

/** A header value an HTTP client can send: visible ASCII and spaces, no surrounding whitespace. */
const headerValue = fc.oneof(
  fc.string({
    unit: fc.integer({ min: 0x21, max: 0x7e }).map((code) => String.fromCharCode(code)),
    maxLength: 300,
  }),
  fc.constantFrom(...NASTY.filter((value) => /^[\x21-\x7e]+$/.test(value))),
  fc.constant('x'.repeat(8_000)),
);

/** Agents cursors as the API encodes them (base64url JSON `[timestamp, id]`) around instants that do not exist. */
const cursor = fc
  .tuple(
    fc.oneof(
      fc.constantFrom(
        '2026-02-30T00:00:00.000000Z',
        '2026-13-01T00:00:00.000000Z',
        '0000-01-01T00:00:00.000000Z',
        '2026-01-01T24:00:00.000000Z',
        '2026-01-01T00:00:60.000000Z',
        '+275760-09-13T00:00:00.000000Z',
        '2026-10-01T00:00:00.000000Z',
      ),
      anyText,
    ),
    fc.oneof(fc.integer(), fc.constantFrom(0, -1, 2 ** 63, 1.5, '1', null), anyText),
  )
  .map((key) => Buffer.from(JSON.stringify(key)).toString('base64url'));

/** A query string of the API's names (mostly), unknown and repeated names, with values of {@link urlPart}. */
const queryString = fc
  .array(
    fc.oneof(
      { weight: 3, arbitrary: fc.tuple(fc.constantFrom('range', 'bucket', 'limit'), urlPart) },
      { weight: 2, arbitrary: fc.tuple(fc.constant('cursor'), fc.oneof(cursor, urlPart)) },
      {
        weight: 1,
        arbitrary: fc.tuple(fc.oneof(fc.constantFrom('range[]', '__proto__', ''), urlPart), urlPart),
      },
    ),
    { maxLength: 5 },
  )
  .map((pairs) => pairs.map(([name, value]) => `${name}=${value}`).join('&'));

const READ_ROUTES = ['/api/dashboard/overview', '/api/dashboard/analytics', '/api/agents'];

/** Write bodies: any JSON; the right fields with wrong values; almost the right body; text that is not JSON. */
function writeBody(agentIds: readonly number[]) {
  const value = fc.oneof(anyText, fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.jsonValue());
  const agentId = fc.oneof(fc.constantFrom(...agentIds), value);
  return fc.oneof(
    fc.jsonValue().map((json) => JSON.stringify(json)),
    fc
      .record(
        {
          agentId,
          status: fc.oneof(fc.constantFrom('completed', 'failed', 'busy', 'new', 'qualified'), value),
          durationSeconds: fc.oneof(fc.integer({ min: -1, max: 100_000 }), value),
          costCents: fc.oneof(fc.integer({ min: -1, max: 20_000_000 }), value),
          endedAt: fc.oneof(fc.constantFrom(...NASTY.filter((v) => /^\S*\d{2}:\d{2}/.test(v))), value),
          name: fc.oneof(anyText, value),
          phone: fc.oneof(anyText, value),
          score: fc.oneof(fc.integer({ min: -5, max: 105 }), value),
          callId: fc.oneof(fc.integer(), value),
          lead: fc.oneof(fc.record({ name: anyText, phone: anyText, score: value }), value),
        },
        { requiredKeys: [] },
      )
      .map((body) => JSON.stringify(body)),
    fc.constantFrom('{', '{"agentId": 1,}', "{'a': 1}", '\u0000', '', 'null', '[]', '"text"'),
    fc.constant(JSON.stringify({ name: 'x'.repeat(20_000) })),
    fc.constant(`${'['.repeat(5_000)}${']'.repeat(5_000)}`),
  );
}

/** What is wrong with a response to bad input, if anything. */
function badInputProblem(response: JsonResponse): string | undefined {
  if (response.status >= 500) return `status ${response.status}: ${response.text.slice(0, 200)}`;
  if (STACK_TRACE.test(response.text)) return `a stack trace: ${response.text.slice(0, 200)}`;
  if (response.status >= 400 && !errorBodySchema.safeParse(response.body).success) {
    return `${response.status} without the JSON error body: ${response.text.slice(0, 200)}`;
  }
  if (response.status >= 400 && !response.headers.get('content-type')?.startsWith('application/json')) {
    return `${response.status} as ${response.headers.get('content-type')}`;
  }
  return undefined;
}

describe.each(MODES)('scenario 5: fuzzed input to the %s app under load', (mode: Mode) => {
  let data: TestData;
  let app: RunningApp;
  let tenant: Tenant;
  let leadId: number;
  let background: RunningLoad;
  const statuses: Record<number, number> = {};
  beforeAll(async () => {
    data = await seedTestData(`chaos_fuzz_${mode}`);
    app = await startChaosApp(data, { mode });
    const tenants = await loadTenants(data);
    tenant = tenants[0] as Tenant;
    const lead = await data.schema.db
      .selectFrom('leads')
      .select('id')
      .where('user_id', '=', tenant.id)
      .orderBy('id')
      .executeTakeFirstOrThrow();
    leadId = lead.id;
    // Every tenant's dashboards keep being read while the fuzzing runs.
    background = startLoad(4, () => randomRead(app, pick(tenants)));
  });
  afterAll(async () => {
    await background?.stop();
    await app?.close();
    await data?.close();
  });

  async function send(path: string, options: RequestOptions): Promise<JsonResponse> {
    const response = await requestJson(app.url, path, options);
    statuses[response.status] = (statuses[response.status] ?? 0) + 1;
    return response;
  }

  it('answers fuzzed query parameters with 2xx or a 4xx JSON error, never a 5xx or a stack trace', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...READ_ROUTES), queryString, async (route, query) => {
        expect(badInputProblem(await send(`${route}?${query}`, { key: tenant.apiKey }))).toBeUndefined();
      }),
      { numRuns: RUNS },
    );
  });

  it('answers fuzzed path parameters and methods the same way', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('/api/agents/', '/api/leads/', '/api/dashboard/', '/api/', '/'),
        urlPart,
        fc.constantFrom('GET', 'PATCH', 'POST', 'PUT', 'DELETE'),
        async (prefix, segment, method) => {
          const body = method === 'GET' || method === 'DELETE' ? undefined : { status: 'qualified' };
          const response = await send(`${prefix}${segment}`, { key: tenant.apiKey, method, body });
          expect(badInputProblem(response)).toBeUndefined();
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('answers fuzzed headers (auth, idempotency key, content type, validators) the same way', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record(
          {
            authorization: fc.oneof(
              headerValue,
              headerValue.map((value) => `Bearer ${value}`),
            ),
            'idempotency-key': headerValue,
            'content-type': fc.oneof(
              headerValue,
              fc.constantFrom(
                'application/json; charset=utf-16',
                'application/json; charset=latin1',
                'text/plain',
                'multipart/form-data; boundary=x',
              ),
            ),
            'content-encoding': fc.constantFrom('gzip', 'br', 'deflate', 'identity', 'x-unknown'),
            'if-none-match': headerValue,
            accept: headerValue,
          },
          { requiredKeys: [] },
        ),
        fc.constantFrom(
          { path: '/api/dashboard/overview', method: 'GET' },
          { path: '/api/agents', method: 'GET' },
          { path: '/api/webhooks/call-ended', method: 'POST' },
          { path: '/api/leads', method: 'POST' },
        ),
        fc.boolean(),
        async (headers, { path, method }, ownKey) => {
          const body =
            method === 'POST'
              ? { agentId: tenant.agentIds[0], status: 'completed', durationSeconds: 1, costCents: 1 }
              : undefined;
          const response = await send(path, {
            key: ownKey ? tenant.apiKey : null,
            method,
            body,
            headers: ownKey ? { ...headers, authorization: `Bearer ${tenant.apiKey}` } : headers,
          });
          expect(badInputProblem(response)).toBeUndefined();
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('answers fuzzed write bodies (types, sizes, unicode, NUL, SQL, impossible dates, huge) the same way', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(
          { path: '/api/webhooks/call-ended', method: 'POST' },
          { path: '/api/leads', method: 'POST' },
          { path: 'lead', method: 'PATCH' },
        ),
        writeBody(tenant.agentIds),
        headerValue,
        async ({ path, method }, body, idempotencyKey) => {
          const response = await send(path === 'lead' ? `/api/leads/${leadId}` : path, {
            key: tenant.apiKey,
            method,
            body,
            headers: { 'idempotency-key': idempotencyKey },
          });
          expect(badInputProblem(response)).toBeUndefined();
        },
      ),
      { numRuns: RUNS * 2 },
    );
  });

  it('kept answering every tenant’s dashboards with 200 while it was fuzzed', async () => {
    const report = await background.stop();
    printFigures(`5 bad input (${mode}), valid reads beside the fuzzing`, report, { fuzzStatuses: statuses });

    expect(report.problems).toEqual([]);
    expect(report.requests).toBeGreaterThan(0);
  });
});
