import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { type LoadtestOptions, parseTargetFlag, runLoadtest } from '../../src/index.js';

export interface LatencyServer {
  url: string;
  /** Changes the injected latency of later requests. */
  setLatencyMs(ms: number): void;
  /** How many requests it has received. */
  requests(): number;
  close(): Promise<void>;
}

/**
 * A real HTTP server on 127.0.0.1, port 0, answering every request after a
 * known latency; with `stall`, requests arriving in the first `stall.ms` of
 * every `stall.periodMs` are held until that window ends.
 */
export async function startLatencyServer(
  options: { latencyMs?: number; stall?: { periodMs: number; ms: number } } = {},
): Promise<LatencyServer> {
  let latencyMs = options.latencyMs ?? 0;
  let requests = 0;
  const start = Date.now();
  const server = http.createServer((_req, res) => {
    requests++;
    let wait = latencyMs;
    if (options.stall) {
      const phase = (Date.now() - start) % options.stall.periodMs;
      if (phase < options.stall.ms) wait += options.stall.ms - phase;
    }
    const send = () => res.end('{"ok":true}');
    if (wait > 0) setTimeout(send, wait);
    else send();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/api/thing`,
    setLatencyMs(ms) {
      latencyMs = ms;
    },
    requests: () => requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * A server that costs next to nothing per request: a raw socket answering
 * each request head (bodiless requests only) with the same precomputed
 * bytes, without an HTTP stack. With `chunks`, the body is that many
 * one-byte chunks: one write for the server, as many chunk lines to read
 * for a client — a load generator is then the slower side by far.
 */
export async function startInstantServer(
  options: { chunks?: number } = {},
): Promise<{ url: string; close(): Promise<void> }> {
  const body = '{"ok":true}';
  const response = Buffer.from(
    options.chunks
      ? `HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n${'1\r\nx\r\n'.repeat(options.chunks)}0\r\n\r\n`
      : `HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
  );
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    let tail = '';
    socket.on('data', (chunk) => {
      const text = tail + chunk.toString('latin1');
      const heads = text.split('\r\n\r\n');
      tail = heads.pop() ?? '';
      for (let i = 0; i < heads.length; i++) socket.write(response);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A CliIo that keeps what commands write. */
export function memoryIo(env: NodeJS.ProcessEnv = {}) {
  const out: string[] = [];
  const err: string[] = [];
  return {
    io: {
      stdout: { write: (s: string) => out.push(s) },
      stderr: { write: (s: string) => err.push(s), isTTY: false },
      env,
      exitCode: 0,
    },
    stdout: () => out.join(''),
    stderr: () => err.join(''),
  };
}

/** A load test of one target at `url`: no warm-up, one repetition of 1 s unless said otherwise. */
export const runOne = (url: string, options: Partial<LoadtestOptions>) =>
  runLoadtest({
    targets: [parseTargetFlag(`thing=${url}`)],
    warmupMs: 0,
    repetitions: 1,
    durationMs: 1000,
    ...options,
  });
