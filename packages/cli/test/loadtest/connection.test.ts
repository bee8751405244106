import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { Connection, requestTemplate } from '../../src/loadtest/http/connection.js';
import { parseTargetFlag } from '../../src/loadtest/targets.js';

type Outcome = { status: number } | { failure: 'network' | 'timeout' };

/** A connection whose outcomes are awaited one by one. */
function connect(url: string, target: Partial<ReturnType<typeof parseTargetFlag>> = {}) {
  const outcomes: Outcome[] = [];
  let wake = () => {};
  const connection = new Connection(requestTemplate({ ...parseTargetFlag(url), ...target }), {
    response: (_c, status) => {
      outcomes.push({ status });
      wake();
    },
    failure: (_c, kind) => {
      outcomes.push({ failure: kind });
      wake();
    },
  });
  const next = async (): Promise<Outcome> => {
    while (outcomes.length === 0) await new Promise<void>((resolve) => (wake = resolve));
    return outcomes.shift() as Outcome;
  };
  const request = (): Promise<Outcome> => {
    connection.send(performance.now());
    return next();
  };
  return { connection, request, next };
}

const servers: Array<http.Server> = [];
async function serve(handler: http.RequestListener, server = http.createServer(handler)) {
  servers.push(server);
  let connections = 0;
  server.on('connection', () => connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const scheme = server instanceof https.Server ? 'https' : 'http';
  return { url: `${scheme}://127.0.0.1:${port}/thing?x=1`, connections: () => connections };
}
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

describe('Connection', () => {
  it('sends successive requests over one kept-alive connection', async () => {
    const server = await serve((_req, res) => res.end('{"ok":true}'));
    const { connection, request } = connect(server.url);
    await connection.open();
    for (let i = 0; i < 3; i++) expect(await request()).toEqual({ status: 200 });
    expect(server.connections()).toBe(1);
    connection.close();
  });

  it("sends the target's method, path, headers and body", async () => {
    let seen: { method?: string; url?: string; headers?: http.IncomingHttpHeaders; body?: string } = {};
    const server = await serve((req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        seen = { method: req.method, url: req.url, headers: req.headers, body };
        res.writeHead(201).end();
      });
    });
    const { connection, request } = connect(server.url, {
      method: 'POST',
      headers: { authorization: 'Bearer k', 'content-type': 'application/json' },
      body: '{"name":"Zoë"}',
    });
    expect(await request()).toEqual({ status: 201 });
    expect(seen).toMatchObject({ method: 'POST', url: '/thing?x=1', body: '{"name":"Zoë"}' });
    expect(seen.headers).toMatchObject({
      authorization: 'Bearer k',
      'content-length': String(Buffer.byteLength('{"name":"Zoë"}')),
    });
    connection.close();
  });

  it('opens a new connection when the server closes the previous one', async () => {
    const server = await serve((_req, res) => res.writeHead(200, { connection: 'close' }).end('bye'));
    const { connection, request } = connect(server.url);
    for (let i = 0; i < 3; i++) expect(await request()).toEqual({ status: 200 });
    expect(server.connections()).toBe(3);
    connection.close();
  });

  it('reports a broken connection as a network failure, and works again on the next send', async () => {
    let calls = 0;
    const server = await serve((req, res) => (++calls === 1 ? req.socket.destroy() : res.end('ok')));
    const { connection, request } = connect(server.url);
    expect(await request()).toEqual({ failure: 'network' });
    expect(await request()).toEqual({ status: 200 });
    connection.close();
  });

  it('gives up on an unanswered request at its timeout, and works again on the next send', async () => {
    let calls = 0;
    let received = () => {};
    const firstReceived = new Promise<void>((resolve) => (received = resolve));
    const server = await serve((_req, res) => {
      if (++calls === 1) received();
      else res.end('ok');
    });
    const { connection, request, next } = connect(server.url);
    connection.send(performance.now());
    await firstReceived;
    expect(connection.expire(connection.sentAt + 999, 1000)).toBe(false);
    expect(connection.expire(connection.sentAt + 1001, 1000)).toBe(true);
    expect(await next()).toEqual({ failure: 'timeout' });
    expect(await request()).toEqual({ status: 200 });
    connection.close();
  });

  it('refuses to open when nothing listens', async () => {
    const { connection } = connect('http://127.0.0.1:9/');
    await expect(connection.open()).rejects.toThrow(/ECONNREFUSED/);
  });

  it('speaks HTTPS', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'perf-cli-tls-'));
    const previous = process.env.NODE_TLS_REJECT_UNAUTHORIZED;
    try {
      await promisify(execFile)('openssl', [
        ...['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1'],
        ...['-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')],
      ]);
      const tls = { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) };
      const server = await serve(
        () => {},
        https.createServer(tls, (_req, res) => res.end('secure')),
      );
      // A self-signed certificate, trusted the way Node lets a test trust one.
      process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';
      const { connection, request } = connect(server.url);
      await connection.open();
      expect(await request()).toEqual({ status: 200 });
      expect(await request()).toEqual({ status: 200 });
      expect(server.connections()).toBe(1);
      connection.close();
    } finally {
      if (previous === undefined) delete process.env.NODE_TLS_REJECT_UNAUTHORIZED;
      else process.env.NODE_TLS_REJECT_UNAUTHORIZED = previous;
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
