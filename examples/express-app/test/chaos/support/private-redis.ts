import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@perfkit/testing';
import { Redis } from 'ioredis';

/** A redis-server this test owns: killed and restarted on the same port, its data kept on disk. */
export interface PrivateRedis {
  url: string;
  /** SIGKILL: every connection drops at once, nothing is flushed. */
  kill(): Promise<void>;
  /** Starts it again on the same port and data directory; resolves once it answers. */
  restart(): Promise<void>;
  /** A connection for the test's own checks (keys, sizes). */
  client(): Redis;
  /** Kills it and removes its data directory. */
  stop(): Promise<void>;
}

async function answers(url: string, timeoutMs = 10_000): Promise<void> {
  const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => 50 });
  probe.on('error', () => undefined);
  try {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      try {
        if (probe.status === 'wait') await probe.connect();
        if ((await probe.ping()) === 'PONG') return;
      } catch {
        if (performance.now() > deadline) throw new Error(`redis at ${url} did not answer in time`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
  } finally {
    probe.disconnect();
  }
}

/**
 * Starts a private redis-server on a free port with an append-only file
 * fsynced on every write, so a SIGKILL loses nothing: after `restart()` it
 * holds what it held before, old cache entries included — the hard case for
 * a cache that must not serve what an invalidation sent during the outage
 * removed.
 *
 * @example
 * const redis = await startPrivateRedis();
 * await redis.kill(); await redis.restart();
 */
export async function startPrivateRedis(): Promise<PrivateRedis> {
  const port = await freePort();
  const dir = await mkdtemp(join(tmpdir(), 'perfkit-chaos-redis-'));
  const url = `redis://127.0.0.1:${port}`;
  const clients: Redis[] = [];
  let child: ChildProcess | undefined;

  const start = async () => {
    child = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', ''].concat([
        '--appendonly',
        'yes',
        '--appendfsync',
        'always',
      ]),
      { stdio: 'ignore' },
    );
    await answers(url);
  };
  const kill = async () => {
    const running = child;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    const exited = once(running, 'exit');
    running.kill('SIGKILL');
    await exited;
  };

  await start();
  return {
    url,
    kill,
    restart: start,
    client() {
      const client = new Redis(url, { maxRetriesPerRequest: 1 });
      client.on('error', () => undefined);
      clients.push(client);
      return client;
    },
    async stop() {
      for (const client of clients) client.disconnect();
      await kill();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
