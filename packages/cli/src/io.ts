/** Where a command writes, and the environment it reads; tests pass their own. */
export interface CliIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown; isTTY?: boolean };
  env: NodeJS.ProcessEnv;
  /** The exit code the command asks for; the CLI ends with it. */
  exitCode: number;
}

/**
 * The process's own streams and environment.
 *
 * @example
 * const io = processIo(); await runCli(['loadtest', '--help'], io);
 */
export function processIo(): CliIo {
  return { stdout: process.stdout, stderr: process.stderr, env: process.env, exitCode: 0 };
}
