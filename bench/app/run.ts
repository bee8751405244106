/**
 * bench/app: the example app end to end on `large`, 50 connections, the heavy
 * tenant and round-robin over 100 tenants, side by side in one run: naive
 * (with the indexes), optimized cold (CACHE=off), optimized warm (memory
 * only, and with Redis), and the ceiling — bare Express routes answering
 * each API's warm bytes. Then warm under a CPU hog pinned to the app's
 * core, and the write-visibility delay between two instances sharing Redis.
 * Load comes from perf-cli's library (`runLoadtest`, closed model); the
 * server-side p99 from the app's own `/metrics`.
 *
 *   pnpm --filter @perfkit/bench run app [--duration 6000] [--tenant-duration 100] [--repetitions 3]
 *     [--naive-duration 60000] [--writes 50] [--skip naive,hog,visibility] [--label name]
 *
 * --duration is each heavy-tenant target's run, --tenant-duration each
 * round-robin tenant's; the naive app gets one run of --naive-duration per
 * API for the heavy tenant and one request per connection per round-robin
 * tenant.
 *
 * This file only launches: it exports the last commit (`git archive HEAD`)
 * into a temporary directory, installs it offline and runs suite.ts there,
 * so a measurement belongs to one commit and not to whatever is half-edited
 * in a shared working tree — the harness as well as the app (which is why
 * this file imports nothing from the workspace but the pnpm locator). Commit what you want
 * measured. The seed's manifest is copied in, and bench/results/ copied back.
 *
 * Results: bench/results/app-large[-label].json and .md. Uses (and seeds if
 * needed) the database perfkit_queries_large, shared with bench/queries: do
 * not run the two at once (bench/queries drops the indexes).
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { pnpm } from '../support/pnpm.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const git = (...args: string[]) => execFileSync('git', args, { cwd: here, encoding: 'utf8' }).trim();
const repo = git('rev-parse', '--show-toplevel');
const commit = git('rev-parse', 'HEAD');
const subject = git('log', '-1', '--format=%s', commit);
const edited = git('status', '--porcelain', '--untracked-files=no');

/** Runs a command to its end, output shared with this process; rejects on a non-zero exit. */
function exec(command: string, args: string[], cwd: string, env = process.env): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: 'inherit' });
    const forward = (signal: NodeJS.Signals) => child.kill(signal);
    process.on('SIGINT', forward).on('SIGTERM', forward);
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      process.off('SIGINT', forward).off('SIGTERM', forward);
      resolve(code ?? (signal ? 1 : 0));
    });
  });
}

const exportDir = await mkdtemp(path.join(os.tmpdir(), 'perfkit-bench-app-'));
const results = path.join(repo, 'bench/results');
const exportedResults = path.join(exportDir, 'bench/results');
let code = 1;
try {
  console.log(`bench/app: measuring ${commit.slice(0, 7)} (${subject}), exported to ${exportDir}`);
  if (edited) console.log(`  not measured: uncommitted edits to ${edited.split('\n').length} files`);
  execFileSync('tar', ['-x', '-C', exportDir], {
    input: execFileSync('git', ['archive', commit], { cwd: repo, maxBuffer: 1 << 30 }),
  });
  const [command, args] = pnpm(['install', '--offline', '--frozen-lockfile']);
  if ((await exec(command, args, exportDir)) !== 0)
    throw new Error('pnpm install --offline failed in the export');
  await mkdir(exportedResults, { recursive: true });
  const manifest = path.join(results, 'app-large.manifest.json');
  if (existsSync(manifest)) await cp(manifest, path.join(exportedResults, 'app-large.manifest.json'));
  code = await exec(
    process.execPath,
    ['--conditions=@perfkit/source', '--import', 'tsx', 'app/suite.ts', ...process.argv.slice(2)],
    path.join(exportDir, 'bench'),
    { ...process.env, PERFKIT_BENCH_COMMIT: `${commit.slice(0, 7)} ${subject}` },
  );
} finally {
  // Whatever the suite wrote, the manifest of a fresh seed included, even when it failed later.
  if (existsSync(exportedResults)) {
    await mkdir(results, { recursive: true });
    await cp(exportedResults, results, { recursive: true });
  }
  await rm(exportDir, { recursive: true, force: true });
}
process.exitCode = code;
