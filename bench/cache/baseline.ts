// Another version of @perfkit/cache, loaded from git so that it runs side by side with the working tree's
// in one process: `CACHE_BASELINE=<git ref>` (a commit, a tag, HEAD~3).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AdapterFactory } from './adapters/cache-adapter.js';
import { type PerfkitModules, perfkitAdapterOf } from './adapters/perfkit-adapter.js';

const BENCH_DIR = join(dirname(fileURLToPath(import.meta.url)), '..');
const REPO_DIR = join(BENCH_DIR, '..');

/** A loaded baseline: its adapter, and `close` to delete the extracted sources. */
export interface PerfkitBaseline {
  readonly ref: string;
  readonly factory: AdapterFactory;
  close(): void;
}

/**
 * Extracts `packages/cache/src` at `ref` and imports it. The sources go under bench/node_modules, so that
 * their `lru-cache` and `ioredis` imports resolve to the bench's own copies.
 */
export async function loadPerfkitBaseline(ref: string): Promise<PerfkitBaseline> {
  const commit = execFileSync('git', ['rev-parse', '--short', `${ref}^{commit}`], { cwd: REPO_DIR })
    .toString()
    .trim();
  const dir = mkdtempSync(join(BENCH_DIR, 'node_modules', '.perfkit-cache-baseline-'));
  try {
    const archive = execFileSync('git', ['archive', commit, 'packages/cache/src'], { cwd: REPO_DIR });
    execFileSync('tar', ['-x', '-C', dir], { input: archive });
    const src = join(dir, 'packages/cache/src');
    const modules: PerfkitModules = {
      cache: await import(join(src, 'index.ts')),
      redis: await import(join(src, 'redis.ts')),
    };
    return {
      ref: commit,
      factory: perfkitAdapterOf(`perfkit @${commit}`, modules),
      close: () => rmSync(dir, { recursive: true, force: true }),
    };
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}
