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
 * to node's own; `runner` is a command line that runs node, such as
 * `['taskset', '-c', '0']` to pin it to a core or valgrind's.
 */
export async function startServer(
  variant: string,
  options: { runner?: string[]; nodeArgs?: string[] } = {},
): Promise<Server> {
  const node = ['--import', 'tsx', '--conditions=@perfkit/source', ...(options.nodeArgs ?? [])];
  const [command, ...runnerArgs] = options.runner ?? [];
  const child = fork(fileURLToPath(new URL('./server.ts', import.meta.url)), [variant], {
    ...(command === undefined
      ? { execArgv: node }
      : { execPath: command, execArgv: [...runnerArgs, process.execPath, ...node] }),
  });
  const [message] = (await once(child, 'message')) as [{ port: number }];
  return { child, url: `http://127.0.0.1:${message.port}/api/agents/42` };
}

/** Asks a server started by {@link startServer} to exit normally (so that profilers write out) and waits. */
export async function stopServer({ child }: Server): Promise<void> {
  const exited = once(child, 'exit');
  child.send('exit');
  await exited;
}
