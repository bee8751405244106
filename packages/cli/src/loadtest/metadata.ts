import { execFileSync } from 'node:child_process';
import os from 'node:os';

/** Where and when a run was made: enough to tell why two runs differ. */
export interface RunMetadata {
  /** `GITHUB_SHA`, else `git rev-parse HEAD` in the working directory, else null. */
  gitCommit: string | null;
  nodeVersion: string;
  cpuModel: string;
  cpuCount: number;
  platform: string;
  /** ISO 8601 start time. */
  date: string;
}

/**
 * Collects the run's metadata.
 *
 * @example
 * collectMetadata(new Date()).gitCommit // '4d1df0d…' or null outside a repository
 */
export function collectMetadata(now: Date, env: NodeJS.ProcessEnv = process.env): RunMetadata {
  let gitCommit = env.GITHUB_SHA ?? null;
  if (!gitCommit) {
    try {
      gitCommit = execFileSync('git', ['rev-parse', 'HEAD'], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      }).trim();
    } catch {
      gitCommit = null;
    }
  }
  const cpus = os.cpus();
  return {
    gitCommit,
    nodeVersion: process.version,
    cpuModel: cpus[0]?.model ?? 'unknown',
    cpuCount: cpus.length,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    date: now.toISOString(),
  };
}
