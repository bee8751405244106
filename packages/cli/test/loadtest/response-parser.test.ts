import { describe, expect, it } from 'vitest';
import { HttpParseError, ResponseParser } from '../../src/loadtest/http/response-parser.js';

/** Feeds `wire` split at every offset (and whole), returning the statuses seen each time. */
function readSplitEverywhere(wire: string, bodiless = false): number[][] {
  const bytes = Buffer.from(wire, 'latin1');
  const outcomes: number[][] = [];
  for (let cut = 0; cut <= bytes.length; cut++) {
    const statuses: number[] = [];
    const parser = new ResponseParser((status) => statuses.push(status), bodiless);
    parser.feed(bytes.subarray(0, cut));
    parser.feed(bytes.subarray(cut));
    expect(parser.midResponse).toBe(false);
    outcomes.push(statuses);
  }
  return outcomes;
}

const everywhere = (wire: string, statuses: number[], bodiless = false) => {
  for (const seen of readSplitEverywhere(wire, bodiless)) expect(seen).toEqual(statuses);
};

describe('ResponseParser', () => {
  it('frames bodies by Content-Length, however the bytes are split', () => {
    everywhere(
      'HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello' +
        'HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n',
      [200, 404],
    );
  });

  it('frames chunked bodies with extensions and trailers, however the bytes are split', () => {
    everywhere(
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\nA\r\n0123456789\r\n0\r\nX-Trailer: 1\r\n\r\n' +
        'HTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok',
      [200, 201],
    );
  });

  it('reads no body after 204, 304 and answers to HEAD, and skips 100 Continue', () => {
    everywhere(
      'HTTP/1.1 204 No Content\r\n\r\nHTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n',
      [204, 304],
    );
    everywhere('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n', [200], true);
    everywhere('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx', [200]);
  });

  it('ends a body without framing at the end of the connection, and says when the connection must close', () => {
    const statuses: number[] = [];
    const parser = new ResponseParser((status) => statuses.push(status));
    parser.feed(Buffer.from('HTTP/1.0 200 OK\r\n\r\nsome body'));
    expect(statuses).toEqual([]);
    expect(parser.end()).toBe(false);
    expect(statuses).toEqual([200]);
    expect(parser.closeRequested).toBe(true);

    const closing = new ResponseParser(() => {});
    closing.feed(Buffer.from('HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n'));
    expect(closing.closeRequested).toBe(true);
  });

  it('tells a response cut short by the end of the connection', () => {
    const parser = new ResponseParser(() => {});
    parser.feed(Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhal'));
    expect(parser.end()).toBe(true);
  });

  it('refuses what is not an HTTP/1.x response', () => {
    expect(() => new ResponseParser(() => {}).feed(Buffer.from('SSH-2.0-OpenSSH\r\n\r\n'))).toThrow(
      HttpParseError,
    );
    expect(() =>
      new ResponseParser(() => {}).feed(Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n')),
    ).toThrow('bad content-length');
    expect(() =>
      new ResponseParser(() => {}).feed(
        Buffer.from('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n'),
      ),
    ).toThrow('bad chunk size');
  });
});
