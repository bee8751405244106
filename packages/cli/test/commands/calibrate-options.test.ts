import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { writeReport } from '../../src/index.js';
import { runCli } from '../../src/program.js';
import { type LatencyServer, memoryIo, startLatencyServer } from '../helpers/latency-server.js';
import { buildReport, noisy } from '../helpers/report-builder.js';

describe('perf-cli calibrate options', () => {
  let server: LatencyServer;
  const dir = mkdtempSync(join(tmpdir(), 'perf-cli-calibrate-options-'));
  const saved = join(dir, 'aa.json');
  writeReport(saved, buildReport(noisy(20, 12, 0.02)));
  beforeAll(async () => {
    server = await startLatencyServer();
  });
  afterAll(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const calibrate = async (...args: string[]) => {
    const run = memoryIo();
    const code = await runCli(['calibrate', ...args], run.io);
    return { code, stderr: run.stderr() };
  };

  it('refuses fewer repetitions than it can split before running, naming -r/--repetitions, exit 2', async () => {
    const run = await calibrate(
      '-t',
      `thing=${server.url}`,
      '--warmup',
      '0',
      '-d',
      '2s',
      '-r',
      '3',
      '--no-progress',
    );
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      'perf-cli: -r/--repetitions must be at least 4 to calibrate (the run is split into two halves of at least 2), got 3\n',
    );
    expect(server.requests()).toBe(0);
  });

  it('refuses load options and --save given with --from, which would ignore them, naming each, exit 2', async () => {
    const run = await calibrate('--from', saved, '--rate', '50', '-r', '6', '--save', join(dir, 'x.json'));
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      'perf-cli: --from reads a saved run instead of running one: drop --rate, --repetitions, --save, which would configure or save a new run\n',
    );
  });

  it('still takes --from with load options set in the environment, which may be there for every command', async () => {
    vi.stubEnv('PERFKIT_RATE', '50');
    try {
      const run = await calibrate('--from', saved, '--metric', 'p50');
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
    } finally {
      vi.unstubAllEnvs();
    }
  });
});
