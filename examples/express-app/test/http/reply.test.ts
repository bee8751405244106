import { describe, expect, it } from 'vitest';
import { payloadOf, renderBody } from '../../src/http/reply.js';

describe('payloads', () => {
  it('hands a small ASCII body to node as its string, so it joins the headers in one write', () => {
    const body = renderBody(1, { calls: 12, name: 'Ada' });
    expect(payloadOf(body)).toEqual({ data: body.json, bytes: body.json.length });
  });

  it('encodes a non-ASCII body once, with its length in UTF-8 bytes', () => {
    const body = renderBody(1, { greeting: 'Grüß Gott, ¿qué tal? 你好' });
    const payload = payloadOf(body);
    expect(Buffer.isBuffer(payload.data)).toBe(true);
    expect(payload.bytes).toBe(Buffer.byteLength(body.json));
    expect(payload.bytes).toBeGreaterThan(body.json.length);
    expect(payloadOf(body)).toBe(payload);
  });

  it('encodes a large ASCII body once rather than on every response', () => {
    const body = renderBody(1, { rows: 'x'.repeat(20_000) });
    const payload = payloadOf(body);
    expect(Buffer.isBuffer(payload.data)).toBe(true);
    expect((payload.data as Buffer).toString()).toBe(body.json);
  });
});
