import net, { type AddressInfo } from 'node:net';
import { createTestSchema, type TestSchema } from '@perfkit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAudit } from '../src/index.js';
import { runCli } from '../src/program.js';
import { CONNECT_TIMEOUT_MS } from '../src/util/database-url.js';
import { memoryIo } from './helpers/latency-server.js';

/** A TCP server on 127.0.0.1 that does `onConnection` with each connection it accepts. */
async function tcpServer(onConnection: (socket: net.Socket) => void) {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    onConnection(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `postgresql://postgres@127.0.0.1:${port}/x`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

const cli = async (...args: string[]) => {
  const run = memoryIo();
  const code = await runCli(args, run.io);
  return { code, stdout: run.stdout(), stderr: run.stderr() };
};

const COMMANDS = [['audit'], ['indexes', 'plan'], ['indexes', 'status'], ['indexes', 'apply']];

describe('perf-cli against an endpoint that is not a working PostgreSQL', () => {
  it(
    'gives up on an endpoint that accepts the connection but never answers, exit 2, naming the URL',
    async () => {
      const silent = await tcpServer(() => {});
      try {
        // All at once: each waits the whole connect timeout.
        const runs = await Promise.all(COMMANDS.map((args) => cli(...args, '--database-url', silent.url)));
        for (const [n, run] of runs.entries()) {
          expect(run.code, COMMANDS[n]?.join(' ')).toBe(2);
          expect(run.stderr).toBe(
            `perf-cli: cannot connect to ${silent.url}: no answer within ${CONNECT_TIMEOUT_MS / 1000} s (timeout expired)\n`,
          );
        }
      } finally {
        await silent.close();
      }
    },
    // The connect timeout, and ample room for a loaded machine; without one the commands never end.
    CONNECT_TIMEOUT_MS * 4,
  );

  it('says it cannot connect to an endpoint that hangs up, as audit and indexes alike, exit 2', async () => {
    const hangsUp = await tcpServer((socket) => socket.end());
    try {
      for (const args of COMMANDS) {
        const run = await cli(...args, '--database-url', hangsUp.url);
        expect(run.code, args.join(' ')).toBe(2);
        expect(run.stderr, args.join(' ')).toBe(
          `perf-cli: cannot connect to ${hangsUp.url}: Connection terminated unexpectedly\n`,
        );
      }
    } finally {
      await hangsUp.close();
    }
  });
});

describe('perf-cli with a role that may not read the app tables', () => {
  let t: TestSchema;
  let role: string;
  let url: string;
  beforeAll(async () => {
    t = await createTestSchema('cli_no_select');
    role = `${t.schema}_reader`;
    await t.pool.query(`CREATE ROLE ${role} LOGIN`);
    await t.pool.query(`GRANT USAGE ON SCHEMA ${t.schema} TO ${role}`);
    const u = new URL(t.connectionString);
    u.username = role;
    url = u.toString();
  });
  afterAll(async () => {
    await t?.pool.query(`DROP OWNED BY ${role}`).catch(() => {});
    await t?.pool.query(`DROP ROLE IF EXISTS ${role}`).catch(() => {});
    await t?.drop();
  });

  it('audit says which privilege is missing, in one line, exit 2, without calling it unexpected', async () => {
    const run = await cli('audit', '--database-url', url);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(
      new RegExp(
        `^perf-cli: postgresql://${role}@127\\.0\\.0\\.1:\\d+/\\w+\\S*: permission denied for table \\w+: connect as a role with the privileges the command needs\\n$`,
      ),
    );
  });

  it('runAudit rejects with PERFKIT_CLI_PERMISSION_DENIED, not as an unavailable database', async () => {
    await expect(runAudit({ connectionString: url })).rejects.toMatchObject({
      code: 'PERFKIT_CLI_PERMISSION_DENIED',
      exitCode: 2,
    });
  });
});

describe('perf-cli indexes --only', () => {
  it('refuses an index that is not declared, before planning or connecting, naming the flag', async () => {
    for (const args of [
      ['indexes', 'plan', '--offline'],
      ['indexes', 'status', '--database-url', 'postgresql://postgres@127.0.0.1:1/x'],
    ]) {
      const run = await cli(...args, '--only', 'nosuch');
      expect(run.code, args.join(' ')).toBe(2);
      expect(run.stderr).toMatch(
        /^perf-cli: --only must each be one of agent_analytics_user_day_cover_idx, .*, got "nosuch"\n$/,
      );
    }
  });
});

describe('perf-cli indexes apply while another process applies them', () => {
  let t: TestSchema;
  beforeAll(async () => {
    t = await createTestSchema('cli_indexes_busy');
  });
  afterAll(() => t?.drop());

  it('waits its --statement-timeout for the index lock, then says another process holds it, exit 2', async () => {
    const other = await t.pool.connect();
    try {
      // The schema's index lock, as the engine of another app instance or perf-cli holds it while it builds.
      await other.query(
        `SELECT pg_advisory_lock(hashtextextended(current_schema() || '.perfkit.indexes', 0))`,
      );
      const run = await cli(
        'indexes',
        'apply',
        '--database-url',
        t.connectionString,
        '--statement-timeout',
        '1s',
      );
      expect(run.code).toBe(2);
      expect(run.stderr).toBe(
        'perf-cli: another process has been applying or dropping the indexes for over 1000 ms: try again when it has finished\n',
      );
    } finally {
      other.release(true);
    }
  });
});
