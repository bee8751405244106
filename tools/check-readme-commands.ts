// Checks that every command a README quotes resolves as written: a pnpm
// script exists in the package it names (or the root), a perf-cli command
// exists and accepts each flag the README gives it. `--run` also runs every
// quoted pnpm command but `install` (benchmarks and the demo included, up to
// 10 minutes each), so it needs this machine's services and time.
// Usage: pnpm run check:readme-commands [--run]
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createProgram } from '@perfkit/cli';
import type { Command } from 'commander';

// Paths below are the repository's, wherever pnpm started this script.
process.chdir(join(import.meta.dirname, '..'));

interface Quoted {
  file: string;
  line: number;
  command: string;
}

const PNPM = /^(?:npx -y pnpm@[\d.]+|pnpm)\s+/;

/** Commands in ```sh blocks and in inline code spans that start like a command. */
function quotedCommands(file: string): Quoted[] {
  const lines = readFileSync(file, 'utf8').split('\n');
  const found: Quoted[] = [];
  let inShell = false;
  let pending = '';
  for (const [index, text] of lines.entries()) {
    if (/^```(sh|bash|shell)\s*$/.test(text)) {
      inShell = true;
    } else if (inShell && /^```/.test(text)) {
      inShell = false;
    } else if (inShell) {
      const line = text.replace(/\s+#.*$/, '').trim();
      if (!line || line.startsWith('#')) continue;
      pending = pending ? `${pending} ${line}` : line;
      if (pending.endsWith('\\')) {
        pending = pending.slice(0, -1).trim();
        continue;
      }
      for (const part of pending.split(/\s+&&\s+/)) found.push({ file, line: index + 1, command: part });
      pending = '';
    } else {
      for (const match of text.matchAll(/`((?:npx -y pnpm@[\d.]+|pnpm|perf-cli) [^`]+)`/g)) {
        for (const part of (match[1] as string).split(/\s+&&\s+/)) {
          found.push({ file, line: index + 1, command: part });
        }
      }
    }
  }
  return found;
}

/** The words of a command without leading `VAR=value` assignments. */
function words(command: string): string[] {
  const all = command.match(/'[^']*'|"[^"]*"|\S+/g) ?? [];
  let start = 0;
  while (start < all.length && /^[A-Z_][A-Z0-9_]*=/.test(all[start] as string)) start++;
  return all.slice(start);
}

function packageScripts(dir: string): Record<string, string> {
  return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).scripts ?? {};
}

/** The package pnpm runs a bare script of: the nearest package.json at or above `dir`. */
function nearestPackage(dir: string): string {
  for (let current = dir; ; current = dirname(current)) {
    if (existsSync(join(current, 'package.json'))) return current;
    if (current === '.' || current === dirname(current)) return '.';
  }
}

/** Workspace packages by name, from pnpm-workspace.yaml's `packages` globs (`dir` or `dir/*`). */
function workspacePackages(): Record<string, string> {
  const globs = [...readFileSync('pnpm-workspace.yaml', 'utf8').matchAll(/^\s+-\s+(\S+)\s*$/gm)].map(
    (m) => m[1] as string,
  );
  const dirs = globs.flatMap((glob) =>
    glob.endsWith('/*')
      ? readdirSync(glob.slice(0, -2)).map((name) => join(glob.slice(0, -2), name))
      : [glob],
  );
  return Object.fromEntries(
    dirs
      .filter((dir) => existsSync(join(dir, 'package.json')))
      .map((dir) => [JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).name as string, dir]),
  );
}

const workspaceDirs = workspacePackages();

const PNPM_BUILTINS = new Set(['install', 'i', 'add', 'exec', 'dlx', 'ls']);

/** Why a pnpm command would not run, or `undefined` when it resolves. */
function checkPnpm(args: string[], readmeDir: string): string | undefined {
  let dir = nearestPackage(readmeDir);
  let rest = args;
  while (rest[0]?.startsWith('--')) {
    if (rest[0] === '--filter') {
      const target = workspaceDirs[rest[1] ?? ''];
      if (!target) return `no workspace package ${rest[1]}`;
      dir = target;
      rest = rest.slice(2);
    } else rest = rest.slice(1);
  }
  if (rest[0] === 'run') rest = rest.slice(1);
  const script = rest[0];
  if (!script) return 'no script named';
  if (PNPM_BUILTINS.has(script)) return undefined;
  const owner = packageScripts(dir)[script] ? dir : packageScripts('.')[script] ? '.' : undefined;
  return owner ? undefined : `no script "${script}" in ${dir === '.' ? 'the root' : dir}`;
}

/** Why a perf-cli command would not parse, or `undefined`. */
function checkPerfCli(args: string[]): string | undefined {
  let command: Command = createProgram({
    stdout: { write: () => true },
    stderr: { write: () => true },
    env: {},
    exitCode: 0,
  });
  let n = 0;
  for (; n < args.length; n++) {
    const sub = command.commands.find((c) => c.name() === args[n]);
    if (!sub) break;
    command = sub;
  }
  if (n === 0) return `no perf-cli command ${args[0]}`;
  const known = new Set<string>();
  for (let c: Command | null = command; c; c = c.parent) {
    for (const option of c.options) {
      if (option.long) known.add(option.long);
      if (option.short) known.add(option.short);
    }
  }
  const unknown = args.slice(n).filter((a) => a.startsWith('-') && !known.has(a.split('=')[0] as string));
  return unknown.length > 0
    ? `perf-cli ${args.slice(0, n).join(' ')} has no ${unknown.join(', ')}`
    : undefined;
}

const files = execFileSync('git', ['ls-files', '*.md'], { encoding: 'utf8' }).trim().split('\n');
const run = process.argv.includes('--run');
let problems = 0;
let checked = 0;
for (const file of files) {
  for (const quoted of quotedCommands(file)) {
    // A template such as `run <suite>` names no command of its own.
    if (/<[a-z][\w-]*>/.test(quoted.command)) continue;
    const [head, ...args] = words(quoted.command.replace(PNPM, 'pnpm '));
    let problem: string | undefined;
    if (head === 'pnpm') problem = checkPnpm(args, dirname(file));
    else if (head === 'perf-cli') problem = checkPerfCli(args);
    else continue; // curl, docker, apt-get …: need another machine or a running app
    checked++;
    if (!problem && run && head === 'pnpm' && args[0] !== 'install') {
      const result = spawnSync('bash', ['-c', quoted.command], { stdio: 'inherit', timeout: 600_000 });
      if (result.status !== 0) problem = `exited ${result.status ?? result.signal}`;
    }
    if (problem) {
      problems++;
      console.error(`${quoted.file}:${quoted.line}: ${quoted.command}\n  ${problem}`);
    }
  }
}
console.log(`README commands: ${checked} checked, ${problems} problem(s)`);
process.exitCode = problems === 0 ? 0 : 1;
