/**
 * The bench's target servers, wrk, and perf-cli run as a process of its own —
 * each pinnable to its own cores, so generator and target do not share one.
 */
import { type ChildProcess, execFile, execFileSync, spawn } from 'node:child_process';
import os from 'node:os';
import { promisify } from 'node:util';
import type { LoadtestReport } from '@perfkit/cli';

const run = promisify(execFile);

/**
 * A server in a child process: Express 5 answering a constant JSON body
 * (`express`), a bare node:http JSON endpoint (`json`), a raw socket answering
 * every request head with the same canned JSON response without an HTTP stack
 * (`instant`: cheaper per request than any generator; with a `value`, a JSON
 * body of about that many bytes comes one byte per chunk — one write for the
 * server, as many chunk lines for the client), node:http with a fixed
 * latency (`latency`), or holding requests that arrive in the first `value`
 * ms of every second (`stall`).
 */
const SERVER = `
const http = require('node:http');
const net = require('node:net');
const [mode, value] = [process.argv[1], Number(process.argv[2])];
const start = Date.now();
const body = JSON.stringify({ status: 'ok', items: [1, 2, 3] });
const listen = (server) => {
  server.listen(0, '127.0.0.1', () => process.stdout.write(String(server.address().port) + '\\n'));
};
if (mode === 'instant') {
  // A JSON body of about \`value\` bytes, one byte per chunk.
  const chunked = () => [...JSON.stringify({ pad: 'x'.repeat(Math.max(0, value - 10)) })].map((c) => '1\\r\\n' + c + '\\r\\n').join('') + '0\\r\\n\\r\\n';
  const response = Buffer.from(value > 0
    ? 'HTTP/1.1 200 OK\\r\\nContent-Type: application/json\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n' + chunked()
    : 'HTTP/1.1 200 OK\\r\\nContent-Type: application/json\\r\\nContent-Length: ' + body.length + '\\r\\n\\r\\n' + body);
  listen(net.createServer((socket) => {
    socket.setNoDelay(true);
    socket.on('error', () => {});
    let tail = '';
    socket.on('data', (chunk) => {
      const heads = (tail + chunk.toString('latin1')).split('\\r\\n\\r\\n');
      tail = heads.pop();
      for (let i = 0; i < heads.length; i++) socket.write(response);
    });
  }));
} else {
  const handler = mode === 'express' ? (() => {
    const app = require('express')();
    const json = { status: 'ok', items: [1, 2, 3] };
    app.get('/', (req, res) => res.json(json));
    return app;
  })() : mode === 'json' ? (req, res) => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  } : (req, res) => {
    const send = () => res.end('ok');
    if (mode === 'stall') {
      const phase = (Date.now() - start) % 1000;
      return phase < value ? setTimeout(send, value - phase) : send();
    }
    return value > 0 ? setTimeout(send, value) : send();
  };
  const server = http.createServer(handler);
  server.keepAliveTimeout = 60_000;
  listen(server);
}
`;

export type ServerMode = 'express' | 'json' | 'instant' | 'latency' | 'stall';

export interface Server {
  url: string;
  stop(): void;
}

/** Whether `taskset` can pin processes here. */
export const canPin = (() => {
  try {
    execFileSync('taskset', ['-p', String(process.pid)], { stdio: 'ignore' });
    return os.cpus().length >= 2;
  } catch {
    return false;
  }
})();

/**
 * Cores for the target and for the generator: the first core serves the
 * (single-threaded) target, the others generate; one list for both where
 * the machine cannot pin.
 */
export const CORES = (() => {
  const n = os.cpus().length;
  return canPin
    ? { target: '0', generator: n === 2 ? '1' : `1-${n - 1}`, pinned: true }
    : { target: '', generator: '', pinned: false };
})();

/** `command args…` pinned to `cpus` with taskset (as is when it cannot pin). */
const pinned = (cpus: string, command: string, args: string[]): [string, string[]] =>
  cpus ? ['taskset', ['-c', cpus, command, ...args]] : [command, args];

export async function startServer(mode: ServerMode, value = 0, cpus = CORES.target): Promise<Server> {
  // cwd bench/: the child resolves express from bench's dependencies.
  const [command, args] = pinned(cpus, process.execPath, ['-e', SERVER, mode, String(value)]);
  const child: ChildProcess = spawn(command, args, {
    stdio: ['ignore', 'pipe', 'inherit'],
    cwd: new URL('..', import.meta.url),
  });
  const port = await new Promise<string>((resolve) =>
    child.stdout?.once('data', (d: Buffer) => resolve(d.toString().trim())),
  );
  return { url: `http://127.0.0.1:${port}/`, stop: () => child.kill() };
}

export interface WrkResult {
  rps: number;
  p50: number;
  p99: number;
  raw: string;
}

/** wrk's summary: requests/s and latency percentiles in ms. */
export async function wrk(
  url: string,
  options: { threads?: number; connections: number; seconds: number; cpus?: string },
): Promise<WrkResult> {
  const [command, args] = pinned(options.cpus ?? '', 'wrk', [
    `-t${options.threads ?? 1}`,
    `-c${options.connections}`,
    `-d${options.seconds}s`,
    '--latency',
    url,
  ]);
  const { stdout } = await run(command, args);
  const toMs = (v: string) => {
    const m = /([\d.]+)(us|ms|s)/.exec(v);
    if (!m) return Number.NaN;
    return Number(m[1]) * (m[2] === 'us' ? 0.001 : m[2] === 's' ? 1000 : 1);
  };
  const pct = (p: string) => toMs(new RegExp(`\\s${p}%\\s+(\\S+)`).exec(stdout)?.[1] ?? '');
  return {
    rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(stdout)?.[1]),
    p50: pct('50'),
    p99: pct('99'),
    raw: stdout,
  };
}

const CLI = new URL('../../packages/cli/src/bin.ts', import.meta.url).pathname;

/**
 * `perf-cli loadtest … --json` as its own process (pinned to `cpus`), as a
 * user runs it; resolves with its report whatever its exit code (3,
 * inconclusive, still carries the figures).
 */
export async function perfCli(args: string[], cpus = CORES.generator): Promise<LoadtestReport> {
  const [command, argv] = pinned(cpus, process.execPath, [
    '--import',
    'tsx',
    '--conditions=@perfkit/source',
    CLI,
    ...args,
    '--json',
    '--no-progress',
  ]);
  const stdout = await new Promise<string>((resolve, reject) => {
    const child = spawn(command, argv, { stdio: ['ignore', 'pipe', 'inherit'] });
    // No part of this bench runs a load test longer than this; a stuck one must not hold the machine.
    const guard = setTimeout(() => child.kill('SIGKILL'), 180_000);
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d;
    });
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(guard);
      if (code === 0 || code === 1 || code === 3) resolve(out);
      else reject(new Error(`perf-cli exited ${code}`));
    });
  });
  return JSON.parse(stdout) as LoadtestReport;
}

export const loadAverage = () =>
  os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');

export const f = (v: number | undefined | null, d = 2) =>
  v === undefined || v === null || Number.isNaN(v) ? 'n/a' : v.toFixed(d);
