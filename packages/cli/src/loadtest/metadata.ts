import { execFileSync } from 'node:child_process';
import os from 'node:os';
import type { RunMetadata } from './report-schema.js';

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
