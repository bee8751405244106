import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import { type AddressInfo, connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { GracefulDrain } from '../../src/http/graceful-drain.js';

/** A server whose every request waits until `release()`; `started` resolves when one arrives. */
async function holdingServer(drain: GracefulDrain) {
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
  return { server, port: (server.address() as AddressInfo).port, release, started };
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

  it('answers a request in flight with Connection: close and closes its connection after it', async () => {
    const drain = new GracefulDrain();
    const held = await holdingServer(drain);
    server = held.server;
    const socket = connect(held.port, '127.0.0.1');
    const answer = answerOf(socket);
    socket.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    await held.started;

    const drained = drain.drain(held.server, 10_000);
    held.release();

    expect(await answer).toMatch(/^HTTP\/1\.1 200 OK\r\n(.+\r\n)*Connection: close\r\n/i);
    expect(await drained).toBe(0);
  });

  it('answers a request whose headers were still arriving with Connection: close', async () => {
    const drain = new GracefulDrain();
    const held = await holdingServer(drain);
    server = held.server;
    held.release();
    const socket = connect(held.port, '127.0.0.1');
    const answer = answerOf(socket);
    socket.write('GET / HTTP/1.1\r\nHost: x\r\n');
    // Until the server has read them: a connection that sent nothing yet is idle, and the drain closes it.
    await new Promise((resolve) => setTimeout(resolve, 200));

    const drained = drain.drain(held.server, 10_000);
    socket.write('\r\n');

    expect(await answer).toMatch(/^HTTP\/1\.1 200 OK\r\n(.+\r\n)*Connection: close\r\n/i);
    expect(await drained).toBe(0);
  });

  it('cuts a request that outlives the grace period and counts it', async () => {
    const drain = new GracefulDrain();
    const held = await holdingServer(drain);
    server = held.server;
    const socket = connect(held.port, '127.0.0.1');
    const answer = answerOf(socket);
    socket.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    await held.started;

    expect(await drain.drain(held.server, 100)).toBe(1);
    expect(await answer).toBe('');
  });
});
