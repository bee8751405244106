import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface LatencyServer {
  url: string;
  /** Changes the injected latency of later requests. */
  setLatencyMs(ms: number): void;
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
  const start = Date.now();
  const server = http.createServer((_req, res) => {
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
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
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
