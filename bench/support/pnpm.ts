/**
 * The pnpm to run a command with: the one this process was started by
 * (`npm_execpath` under `pnpm run`), else the pinned version through npx.
 *
 * @example
 * const [command, args] = pnpm(['run', 'build']);
 */
export function pnpm(args: string[]): [string, string[]] {
  const execPath = process.env.npm_execpath;
  if (execPath && /pnpm/.test(execPath)) {
    return /\.[cm]?js$/.test(execPath) ? [process.execPath, [execPath, ...args]] : [execPath, args];
  }
  return ['npx', ['-y', 'pnpm@12.4.2', ...args]];
}
