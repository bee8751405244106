import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Ajv } from 'ajv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadtestReportJsonSchema } from '../src/index.js';
import { runCli } from '../src/program.js';
import { untilConclusive } from './helpers/conclusive.js';
import { type LatencyServer, memoryIo, runOne, startLatencyServer } from './helpers/latency-server.js';

describe('loadtest', () => {
  let server: LatencyServer;
  const dir = mkdtempSync(join(tmpdir(), 'perf-cli-loadtest-'));
  beforeAll(async () => {
    server = await startLatencyServer({ latencyMs: 30 });
  });
  afterAll(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('measures an injected 30 ms latency at the scheduled rate in the open model', async () => {
    // 10 sends a repetition: a run with 3 of them late is inconclusive, and a busy machine makes few such runs.
    const report = await untilConclusive(() =>
      runOne(server.url, { model: 'open', rate: 50, warmupMs: 200, durationMs: 200, repetitions: 2 }),
    );
    const [target] = report.targets;
    expect(target?.requests).toBe(20);
    expect(target?.repetitions).toHaveLength(2);
    expect(target?.latency.p50).toBeGreaterThanOrEqual(30);
    expect(target?.latency.p50).toBeLessThan(150);
    expect(report.config.latencyCorrection).toBe('intended-send-time');
  });

  it("reads the open model's throughput over the whole duration, not up to the last send", async () => {
    const fast = await startLatencyServer();
    try {
      // 5 sends 100 ms apart over 500 ms: 10 req/s (up to the last send it read 5 in 400 ms, 12.5).
      const report = await runOne(fast.url, { model: 'open', rate: 10, durationMs: 500 });
      const rps = report.targets[0]?.repetitions[0]?.rps;
      expect(rps).toBeGreaterThan(9);
      expect(rps).toBeLessThanOrEqual(10);
    } finally {
      await fast.close();
    }
  });

  it('measures the injected latency in the closed model too', async () => {
    const report = await runOne(server.url, { model: 'closed', connections: 4 });
    const [target] = report.targets;
    // 4 connections × ~33 round trips a second, whatever the machine's noise.
    expect(target?.requests).toBeGreaterThan(40);
    expect(target?.requests).toBeLessThanOrEqual(140);
    expect(target?.uncorrectedLatency?.p50).toBeGreaterThanOrEqual(30);
    expect(report.config.latencyCorrection).toBe('wrk-mean-interval');
  });

  it('exits 1 when a threshold is breached and 0 when all hold, and saves a baseline with encoded histograms', async () => {
    const quick = `loadtest -t thing=${server.url} --rate 40 -d 250ms --warmup 0 --no-progress`;
    const failing = memoryIo();
    // A breached threshold fails the run even when it is also inconclusive.
    expect(await runCli(`${quick} -r 1 --threshold thing:p50<1`.split(' '), failing.io)).toBe(1);
    expect(failing.stdout()).toMatch(/thing:p50<1.*FAIL/);

    const file = join(dir, 'base.json');
    const { code, saved } = await untilConclusive(async () => {
      const code = await runCli(
        `${quick} -r 2 --threshold p99<5000 --save ${file}`.split(' '),
        memoryIo().io,
      );
      const saved = JSON.parse(readFileSync(file, 'utf8'));
      return { code, saved, verdict: saved.verdict, inconclusive: saved.inconclusive };
    });
    expect(code).toBe(0);
    expect(saved.verdict).toBe('pass');
    expect(saved.thresholds[0].passed).toBe(true);
    expect(saved.format).toBe('perfkit-loadtest');
    expect(saved.targets[0].repetitions).toHaveLength(2);
    expect(saved.targets[0].repetitions[0].histogram).toMatch(/^[A-Za-z0-9+/=]+$/);
    expect(saved.metadata.nodeVersion).toBe(process.version);
    expect(saved.config.rate).toBe(40);
    const validate = new Ajv({ allErrors: true }).compile(loadtestReportJsonSchema());
    expect(validate(saved), JSON.stringify(validate.errors)).toBe(true);
  });
  it('saves a report without the credentials of a target URL', async () => {
    const file = join(dir, 'redacted.json');
    const { port } = new URL(server.url);
    const url = `http://alice:hunter2@127.0.0.1:${port}/api/thing?token=abc123&page=2&api_key=k1`;
    const run = memoryIo();
    await runCli(
      `loadtest -t thing=${url} --rate 20 -d 200ms --warmup 0 -r 1 --no-progress --save ${file}`.split(' '),
      run.io,
    );
    const saved = readFileSync(file, 'utf8');
    expect(JSON.parse(saved).config.targets[0].url).toBe(
      `http://***:***@127.0.0.1:${port}/api/thing?token=***&page=2&api_key=***`,
    );
    for (const secret of ['alice', 'hunter2', 'abc123', 'k1']) expect(saved).not.toContain(secret);
  });
});

describe('a target whose requests fail', () => {
  it('fails the run by the default errors<1 even when its latency threshold holds over no answer', async () => {
    const failing = http.createServer((_req, res) => {
      res.statusCode = 500;
      res.end();
    });
    await new Promise<void>((resolve) => failing.listen(0, '127.0.0.1', resolve));
    const { port } = failing.address() as AddressInfo;
    try {
      const run = memoryIo();
      const code = await runCli(
        `loadtest -t x=http://127.0.0.1:${port}/ --rate 20 -d 500ms --warmup 0 -r 1 --no-progress --threshold x:p99<2000`.split(
          ' ',
        ),
        run.io,
      );
      expect(code).toBe(1);
      expect(run.stdout()).toMatch(/x:errors<1 \(default\).*FAIL/);
    } finally {
      failing.close();
    }
  });
});

describe('coordinated omission', () => {
  let stalling: LatencyServer;
  beforeAll(async () => {
    // Holds every request arriving in the first 200 ms of each second.
    stalling = await startLatencyServer({ stall: { periodMs: 1000, ms: 200 } });
  });
  afterAll(() => stalling.close());

  it('charges a stalling server for every request it delayed in the open model', async () => {
    const report = await runOne(stalling.url, { model: 'open', rate: 200, connections: 20 });
    // A fifth of the schedule lands in the stall: the true p90 is ~100 ms and p99 ~190 ms.
    expect(report.targets[0]?.latency.p99).toBeGreaterThan(120);
  });

  it('shows the stall uncorrected only in the tail of the closed model, and corrected like wrk', async () => {
    const report = await runOne(stalling.url, { model: 'closed', connections: 2 });
    const [target] = report.targets;
    // Raw: one stalled sample per connection per second, lost among the fast ones.
    expect(target?.uncorrectedLatency?.max).toBeGreaterThan(100);
    expect(target?.uncorrectedLatency?.p90).toBeLessThan(100);
    // Corrected: each stalled sample is back-filled at the connection's mean interval, whatever that
    // interval is on a busy machine, so about a tenth of all samples land above 100 ms.
    expect(target?.latency.p99).toBeGreaterThan(100);
    expect(target?.latency.p90).toBeGreaterThan(target?.uncorrectedLatency?.p90 ?? 0);
  });
});

describe('loadtest input errors', () => {
  it('exits 2 with one clear message for an invalid rate', async () => {
    const run = memoryIo();
    const code = await runCli(['loadtest', '-t', 'http://127.0.0.1:9/x', '--rate', 'fast'], run.io);
    expect(code).toBe(2);
    expect(run.stderr()).toContain('--rate must be a number');
    expect(run.stderr()).not.toMatch(/\n\s+at /);
  });

  it('says when the connections exceed the open-file limit, not that the target is unreachable', async () => {
    const server = await startLatencyServer();
    try {
      // A process of its own, whose open-file limit (2,048) is under the 3,000 connections asked for.
      // The limit sits above every file the process opens while loading its modules (about 1,200 in
      // all from source): Node's loader reads them concurrently, and under a lower limit a busy
      // machine ran out of descriptors there, before any connection.
      const script = JSON.parse(readFileSync(join(import.meta.dirname, '../package.json'), 'utf8')).scripts[
        'perf-cli'
      ];
      const run = await promisify(execFile)(
        'sh',
        [
          '-c',
          `ulimit -n 2048 && ${script} loadtest -t x=${server.url} -c 3000 --rate 10 -d 200ms --warmup 0 -r 1 --no-progress`,
        ],
        {
          cwd: join(import.meta.dirname, '..'),
          env: {
            ...process.env,
            PATH: `${join(import.meta.dirname, '../../../node_modules/.bin')}:${process.env.PATH}`,
          },
        },
      ).then(
        () => ({ code: 0, stderr: '' }),
        (error: { code: number; stderr: string }) => error,
      );
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(/^perf-cli: -c\/--connections is over this process's open-file limit/);
    } finally {
      await server.close();
    }
  });

  it('exits 2 when no target is given, and for an unreachable target', async () => {
    const none = memoryIo();
    expect(await runCli(['loadtest'], none.io)).toBe(2);
    expect(none.stderr()).toContain('no targets');
    const closed = memoryIo();
    expect(
      await runCli(
        [
          'loadtest',
          '-t',
          'http://127.0.0.1:9/x',
          '-d',
          '200ms',
          '--warmup',
          '0',
          '-r',
          '1',
          '--no-progress',
        ],
        closed.io,
      ),
    ).toBe(2);
    expect(closed.stderr()).toContain('unreachable');
  });

  it('refuses a threshold naming an unknown target before any request reaches the server', async () => {
    const server = await startLatencyServer();
    try {
      const run = memoryIo();
      const args = ['loadtest', '-t', `x=${server.url}`, '--threshold', 'nope:p99<3', '-d', '3s'];
      expect(await runCli([...args, '--no-progress'], run.io)).toBe(2);
      expect(run.stderr()).toBe(
        'perf-cli: threshold "nope:p99<3" names target "nope", which is not among x\n',
      );
      expect(server.requests()).toBe(0);
    } finally {
      await server.close();
    }
  });

  it('exits 2 for a malformed threshold and for an unknown option', async () => {
    const bad = memoryIo();
    expect(await runCli(['loadtest', '-t', 'http://127.0.0.1:9/x', '--threshold', 'p97<3'], bad.io)).toBe(2);
    expect(bad.stderr()).toContain('threshold "p97<3"');
    const unknown = memoryIo();
    expect(await runCli(['loadtest', '--nope'], unknown.io)).toBe(2);
    expect(unknown.stderr()).toContain("unknown option '--nope'");
  });
});
