import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from './free-port.js';

/** Options of {@link startPrivateRedis}. */
export interface PrivateRedisOptions {
  /**
   * Keep every write in an append-only file fsynced at once, so a `kill` loses nothing and `restart`
   * brings back all it held. Default `false`: nothing is written to disk.
   */
  persistent?: boolean;
}

/** A redis-server of the caller's own, on a free port: its keys and pub/sub touch nothing else. */
export interface PrivateRedis {
  url: string;
  /** SIGSTOP: connections stay open but nothing answers, like a stalled server. */
  freeze(): void;
  /** SIGCONT: a frozen server answers again. */
  thaw(): void;
  /** SIGKILL: every connection drops at once, nothing is flushed; resolves once it has exited. */
  kill(): Promise<void>;
  /** Starts it again on the same port and directory; resolves once it answers. */
  restart(): Promise<void>;
  /** Kills it, frozen or not, and removes its directory. */
  stop(): Promise<void>;
}

/** One PING on a new connection: false while nothing listens yet, or it answers `-LOADING` its data. */
function pong(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1', () => socket.write('PING\r\n'));
    socket.setTimeout(1_000);
    const end = (answered: boolean) => {
      socket.destroy();
      resolve(answered);
    };
    socket.once('data', (reply) => end(reply.toString().startsWith('+PONG')));
    socket.once('error', () => end(false));
    socket.once('timeout', () => end(false));
  });
}

/**
 * Starts a private redis-server on a free port, in a temporary directory, and resolves once it answers.
 * The machine's Redis is shared by every test file and benchmark; one of its own lets a caller freeze,
 * kill or restart it, or keep its keys and invalidation bus apart, without touching the others.
 *
 * @example
 * const redis = await startPrivateRedis({ persistent: true });
 * await redis.kill(); await redis.restart(); // it holds what it held before the kill
 * afterAll(() => redis.stop());
 */
export async function startPrivateRedis(options: PrivateRedisOptions = {}): Promise<PrivateRedis> {
  const port = await freePort();
  const dir = await mkdtemp(join(tmpdir(), 'perfkit-redis-'));
  const persistence = options.persistent
    ? ['--appendonly', 'yes', '--appendfsync', 'always']
    : ['--appendonly', 'no'];
  let child: ChildProcess | undefined;

  const start = async () => {
    const running = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', ...persistence],
      { stdio: 'ignore' },
    );
    child = running;
    let failed: Error | undefined;
    running.once('error', (error) => {
      failed = error;
    });
    const deadline = performance.now() + 10_000;
    while (!(await pong(port))) {
      if (failed) throw failed;
      if (running.exitCode !== null)
        throw new Error(`redis-server on port ${port} exited (${running.exitCode})`);
      if (performance.now() > deadline)
        throw new Error(`redis-server on port ${port} did not answer in time`);
      await sleep(20);
    }
  };
  const kill = async () => {
    const running = child;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    const exited = once(running, 'exit');
    running.kill('SIGKILL');
    await exited;
  };

  try {
    await start();
  } catch (error) {
    await kill();
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    url: `redis://127.0.0.1:${port}`,
    freeze: () => child?.kill('SIGSTOP'),
    thaw: () => child?.kill('SIGCONT'),
    kill,
    restart: start,
    async stop() {
      await kill();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
