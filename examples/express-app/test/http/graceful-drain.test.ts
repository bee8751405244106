import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import { type AddressInfo, connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { GracefulDrain } from '../../src/http/graceful-drain.js';

/**
 * A server behind a fresh GracefulDrain whose every request waits until
 * `release()`; `started` resolves when one arrives, and `send` writes raw
 * bytes on a new connection and resolves with everything sent back on it.
 */
async function holdingServer() {
  const drain = new GracefulDrain();
  let release = () => {};
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  let arrived = () => {};
  const started = new Promise<void>((resolve) => {
    arrived = resolve;
  });
  const server = createServer(
    drain.tracking((_req, res) => {
      arrived();
      void released.then(() => res.end('done'));
    }),
  ).listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const send = (raw: string) => {
    const socket = connect(port, '127.0.0.1');
    const answer = answerOf(socket);
    socket.write(raw);
    return { socket, answer };
  };
  return { server, release, started, send, drain: (graceMs: number) => drain.drain(server, graceMs) };
}

/** Everything the server sends on `socket` until it closes the connection. */
function answerOf(socket: Socket): Promise<string> {
  let answer = '';
  socket.on('data', (chunk) => {
    answer += chunk.toString();
  });
  return once(socket, 'close').then(() => answer);
}

describe('GracefulDrain', () => {
  let server: Server | undefined;
  afterEach(() => {
    server?.closeAllConnections();
    server?.close();
  });

  const REQUEST = 'GET / HTTP/1.1\r\nHost: x\r\n\r\n';

  it('answers a request in flight with Connection: close and closes its connection after it', async () => {
    const held = await holdingServer();
    server = held.server;
    const { answer } = held.send(REQUEST);
    await held.started;

    const drained = held.drain(10_000);
    held.release();

    expect(await answer).toMatch(/^HTTP\/1\.1 200 OK\r\n(.+\r\n)*Connection: close\r\n/i);
    expect(await drained).toBe(0);
  });

  it('answers a request whose headers were still arriving with Connection: close', async () => {
    const held = await holdingServer();
    server = held.server;
    held.release();
    const { socket, answer } = held.send(REQUEST.slice(0, -2));
    // Until the server has read them: a connection that sent nothing yet is idle, and the drain closes it.
    await new Promise((resolve) => setTimeout(resolve, 200));

    const drained = held.drain(10_000);
    socket.write('\r\n');

    expect(await answer).toMatch(/^HTTP\/1\.1 200 OK\r\n(.+\r\n)*Connection: close\r\n/i);
    expect(await drained).toBe(0);
  });

  it('cuts a request that outlives the grace period and counts it', async () => {
    const held = await holdingServer();
    server = held.server;
    const { answer } = held.send(REQUEST);
    await held.started;

    expect(await held.drain(100)).toBe(1);
    expect(await answer).toBe('');
  });
});
