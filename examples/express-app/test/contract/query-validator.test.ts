import { IncomingMessage } from 'node:http';
import { Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { overviewQuerySchema } from '../../src/contract/query-params.js';
import { queryValidator } from '../../src/contract/validate.js';
import type { HttpError } from '../../src/errors.js';

/** A request as Express hands it: the raw URL, and `query` parsed from it on each read (counted). */
function requests() {
  let parses = 0;
  const request = (url: string, query: unknown) => {
    const req = Object.assign(new IncomingMessage(new Socket()), { url });
    return Object.defineProperty(req, 'query', {
      get() {
        parses++;
        return query;
      },
    }) as IncomingMessage & { query: unknown };
  };
  return { request, parses: () => parses };
}

describe('queryValidator', () => {
  it('answers one frozen value per query string, parsing and validating it once', () => {
    const overviewQuery = queryValidator(overviewQuerySchema);
    const { request, parses } = requests();
    const first = overviewQuery(request('/api/dashboard/overview?range=7d', { range: '7d' }));
    const again = overviewQuery(request('/api/dashboard/overview?range=7d', { range: '7d' }));
    expect(first).toEqual({ range: '7d' });
    expect(again).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
    expect(parses()).toBe(1);
  });

  it('keeps different query strings apart, the empty one included', () => {
    const overviewQuery = queryValidator(overviewQuerySchema);
    const { request } = requests();
    expect(overviewQuery(request('/api/dashboard/overview?range=90d', { range: '90d' }))).toEqual({
      range: '90d',
    });
    expect(overviewQuery(request('/api/dashboard/overview', {}))).toEqual({ range: '30d' });
    expect(overviewQuery(request('/api/dashboard/overview?range=7d', { range: '7d' }))).toEqual({
      range: '7d',
    });
  });

  it('keys on the query Express parses: a `?` inside the fragment is not a query string', () => {
    const overviewQuery = queryValidator(overviewQuerySchema);
    const { request } = requests();
    expect(overviewQuery(request('/api/dashboard/overview#?range=7d', {}))).toEqual({ range: '30d' });
    expect(overviewQuery(request('/api/dashboard/overview?range=7d', { range: '7d' }))).toEqual({
      range: '7d',
    });
  });

  it('throws the same 400 for an invalid query string every time, remembering nothing', () => {
    const overviewQuery = queryValidator(overviewQuerySchema);
    const { request, parses } = requests();
    for (let i = 0; i < 2; i++) {
      expect(() => overviewQuery(request('/api/dashboard/overview?range=1y', { range: '1y' }))).toThrow(
        expect.objectContaining({ status: 400, code: 'invalid_request' }) as HttpError,
      );
    }
    expect(parses()).toBe(2);
  });

  it('validates a long query string every time, so the memo stays small', () => {
    const overviewQuery = queryValidator(overviewQuerySchema);
    const { request, parses } = requests();
    const pad = 'x'.repeat(300);
    const url = `/api/dashboard/overview?range=7d&pad=${pad}`;
    const first = overviewQuery(request(url, { range: '7d', pad }));
    expect(overviewQuery(request(url, { range: '7d', pad }))).toEqual(first);
    expect(parses()).toBe(2);
  });
});
