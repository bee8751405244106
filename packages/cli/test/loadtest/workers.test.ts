import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeHistogram } from '../../src/index.js';
import { runCli } from '../../src/program.js';
import {
  type LatencyServer,
  memoryIo,
  runOne,
  startInstantServer,
  startLatencyServer,
} from '../helpers/latency-server.js';

describe('loadtest --workers', () => {
  let server: LatencyServer;
  beforeAll(async () => {
    server = await startLatencyServer({ latencyMs: 5 });
  });
  afterAll(() => server.close());

  it("splits the open model's schedule over the workers and merges their histograms exactly", async () => {
    const report = await runOne(server.url, { model: 'open', rate: 200, connections: 4, workers: 2 });
    const [repetition] = report.targets[0]?.repetitions ?? [];
    expect(repetition?.scheduled).toBe(200);
    expect(repetition?.requests).toBe(200);
    expect(decodeHistogram(repetition?.histogram ?? '').totalCount).toBe(200);
    expect(repetition?.generator?.workers).toHaveLength(2);
    expect(report.config.workers).toBe(2);
  });

  it("reports each worker's load in every repetition", async () => {
    const report = await runOne(server.url, { model: 'closed', connections: 4, workers: 2 });
    const generator = report.targets[0]?.repetitions[0]?.generator;
    expect(generator?.workers).toHaveLength(2);
    for (const load of generator?.workers ?? []) {
      expect(load.busy).toBeGreaterThanOrEqual(0);
      expect(load.busy).toBeLessThanOrEqual(1);
      expect(load.loopDelayP99Ms).toBeGreaterThanOrEqual(0);
    }
    expect(generator?.cpuCores).toBeGreaterThan(0);
  });

  it('exits 2 with one clear message when there are more workers than connections', async () => {
    const run = memoryIo();
    expect(
      await runCli(['loadtest', '-t', server.url, '-c', '2', '--workers', '3', '--no-progress'], run.io),
    ).toBe(2);
    expect(run.stderr()).toContain('--workers 3 needs at least one connection each, and this run has 2');
  });
});

describe('coordinated omission with several workers', () => {
  let stalling: LatencyServer;
  beforeAll(async () => {
    stalling = await startLatencyServer({ stall: { periodMs: 1000, ms: 200 } });
  });
  afterAll(() => stalling.close());

  it('charges a stalling server for every request it delayed', async () => {
    const report = await runOne(stalling.url, { model: 'open', rate: 200, connections: 20, workers: 2 });
    // A fifth of the schedule lands in the stall: the true p90 is ~100 ms and p99 ~190 ms.
    expect(report.targets[0]?.latency.p99).toBeGreaterThan(120);
  });
});

describe('generator saturation', () => {
  let instant: Awaited<ReturnType<typeof startInstantServer>>;
  beforeAll(async () => {
    instant = await startInstantServer({ chunks: 1000 });
  });
  afterAll(() => instant.close());

  it('makes the closed model inconclusive, with the reason, when its generator was the limit', async () => {
    // Each answer is one write for the server and 1,000 chunk lines for the generator: busy ≈ 99 % here even at load average 12.
    const run = memoryIo();
    const code = await runCli(
      `loadtest -t ${instant.url} --model closed -c 50 --workers 1 -d 1s --warmup 200ms -r 1 --no-progress`.split(
        ' ',
      ),
      run.io,
    );
    expect(run.stdout()).toMatch(
      /inconclusive: .*the generator was the limit: worker 1 of 1 needed a CPU \d+ % of the run/,
    );
    expect(code).toBe(3);
  });
});
