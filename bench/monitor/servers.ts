import { type ChildProcess, fork } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

/** A benchmark server in its own process, and the URL of its measured route. */
export interface Server {
  child: ChildProcess;
  url: string;
}

/**
 * Starts `server.ts` for `variant` in a child process, with `nodeArgs` added
 * to node's own; with `cpu`, the process is pinned to that core (Linux `taskset`).
 */
export async function startServer(
  variant: string,
  options: { cpu?: number; nodeArgs?: string[] } = {},
): Promise<Server> {
  const node = ['--import', 'tsx', '--conditions=@perfkit/source', ...(options.nodeArgs ?? [])];
  const child = fork(fileURLToPath(new URL('./server.ts', import.meta.url)), [variant], {
    ...(options.cpu === undefined
      ? { execArgv: node }
      : { execPath: 'taskset', execArgv: ['-c', String(options.cpu), process.execPath, ...node] }),
  });
  const [message] = (await once(child, 'message')) as [{ port: number }];
  return { child, url: `http://127.0.0.1:${message.port}/api/agents/42` };
}
