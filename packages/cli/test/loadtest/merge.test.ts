import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  compareResultSchema,
  decodeHistogram,
  type LoadtestReport,
  loadtestReportJsonSchema,
  PHASE_GAP_MS,
  writeReport,
} from '../../src/index.js';
import { runCli } from '../../src/program.js';
import { type LatencyServer, memoryIo, startLatencyServer } from '../helpers/latency-server.js';
import { buildReport } from '../helpers/report-builder.js';

const cli = async (args: string) => {
  const run = memoryIo();
  const code = await runCli(args.split(' '), run.io);
  return { code, stdout: run.stdout(), stderr: run.stderr() };
};
const read = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as LoadtestReport;

describe('loadtest --shard --start-at, then merge', () => {
  let server: LatencyServer;
  const dir = mkdtempSync(join(tmpdir(), 'perf-cli-merge-'));
  const file = (name: string) => join(dir, name);
  let startAt = '';
  const load = `--rate 100 -c 4 -d 1s --warmup 0 -r 2 --no-progress --threshold p99<5000`;

  beforeAll(async () => {
    server = await startLatencyServer({ latencyMs: 5 });
    const target = `-t thing=${server.url}`;
    // Both shards run at once, as two machines would, from one start time.
    startAt = new Date(Date.now() + 2000).toISOString();
    await Promise.all([
      cli(`loadtest ${target} ${load} --shard 1/2 --start-at ${startAt} --save ${file('a.json')}`),
      cli(`loadtest ${target} ${load} --shard 2/2 --start-at ${startAt} --save ${file('b.json')}`),
    ]);
    await cli(`loadtest ${target} ${load} --save ${file('whole.json')}`);
  }, 60_000);
  afterAll(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs each shard on the shared timeline: repetitions start at the start time, one duration and gap apart', () => {
    const reps = read(file('a.json')).targets[0]?.repetitions ?? [];
    expect(reps.map((r) => r.startedAt)).toEqual([
      startAt,
      new Date(Date.parse(startAt) + 1000 + PHASE_GAP_MS).toISOString(),
    ]);
  });

  it('merges the shards into the whole schedule: counts add up exactly and the histograms merge', async () => {
    const merged = await cli(
      `merge ${file('a.json')} ${file('b.json')} --save ${file('merged.json')} --json`,
    );
    expect(merged.stderr).toBe('');
    const report = read(file('merged.json'));
    const [a, b] = [read(file('a.json')), read(file('b.json'))];
    for (const [r, repetition] of (report.targets[0]?.repetitions ?? []).entries()) {
      const parts = [a, b].map((p) => p.targets[0]?.repetitions[r]);
      expect(parts.map((p) => p?.scheduled)).toEqual([50, 50]);
      expect(repetition.scheduled).toBe(100);
      expect(repetition.requests).toBe((parts[0]?.requests ?? 0) + (parts[1]?.requests ?? 0));
      expect(decodeHistogram(repetition.histogram).totalCount).toBe(repetition.requests);
    }
    expect(report.config).toMatchObject({ shard: null, rate: 100, connections: 4, startAt });
    expect(report.parts?.map((p) => p.shard)).toEqual([
      { index: 1, count: 2 },
      { index: 2, count: 2 },
    ]);
    expect(report.thresholds.map((t) => t.source)).toEqual(['p99<5000']);
    const validate = new Ajv({ allErrors: true }).compile(loadtestReportJsonSchema());
    expect(validate(report), JSON.stringify(validate.errors)).toBe(true);
    // The whole is inconclusive exactly when a shard distrusted its share, for the shard's reasons.
    const reasons = [1, 2].flatMap((r) =>
      [a, b].flatMap((part, p) =>
        (part.targets[0]?.repetitions[r - 1]?.inconclusive ?? []).map(
          (reason) => `thing repetition ${r}: shard ${p + 1}/2: ${reason}`,
        ),
      ),
    );
    expect(report.inconclusive).toEqual(reasons);
    expect(report.verdict).toBe(reasons.length > 0 ? 'inconclusive' : 'pass');
    expect(merged.code).toBe(reasons.length > 0 ? 3 : 0);
  });

  it('gives compare and report a merged run like any other, and compare refuses a lone shard', async () => {
    await cli(`merge ${file('a.json')} ${file('b.json')} --save ${file('merged.json')}`);
    const compared = await cli(`compare ${file('whole.json')} ${file('merged.json')} --json`);
    expect(compared.stderr).toBe('');
    const result = compareResultSchema.parse(JSON.parse(compared.stdout));
    // 2 + 2 repetitions can never reach the gate's alpha: inconclusive, whatever the runs measured, saying why.
    expect(result.verdict).toBe('inconclusive');
    expect(compared.code).toBe(3);
    expect(result.reasons).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^2 \+ 2 repetitions cannot reach p <= /),
        ...read(file('whole.json')).inconclusive.map((reason) => `baseline: ${reason}`),
        ...read(file('merged.json')).inconclusive.map((reason) => `current: ${reason}`),
      ]),
    );
    const html = await cli(`report ${file('merged.json')} --baseline ${file('whole.json')} --html`);
    expect(html.stdout).toContain('on 2 machines (merged)');

    const lone = await cli(`compare ${file('whole.json')} ${file('a.json')}`);
    expect(lone.code).toBe(2);
    expect(lone.stderr).toContain('shard: whole run vs shard 1/2');
  });
});

describe('merge refuses reports that are not one run', () => {
  const dir = mkdtempSync(join(tmpdir(), 'perf-cli-merge-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const startAt = '2026-01-01T00:00:00.000Z';
  const part = (
    name: string,
    index: number,
    count: number,
    overrides: { rate?: number; startAt?: string | null } = {},
  ) => {
    const report = buildReport([10, 11], overrides);
    report.config = {
      ...report.config,
      shard: { index, count },
      startAt: overrides.startAt === undefined ? startAt : overrides.startAt,
    };
    writeReport(join(dir, name), report);
    return join(dir, name);
  };

  it('names a missing shard, a shard given twice, a whole run and a part of another run', async () => {
    const one = part('one.json', 1, 3);
    const three = part('three.json', 3, 3);
    expect((await cli(`merge ${one} ${three}`)).stderr).toContain('shard 2/3 is missing');
    expect((await cli(`merge ${one} ${one} ${three}`)).stderr).toContain('shard 1/3 is given twice');
    const whole = join(dir, 'whole.json');
    writeReport(whole, buildReport([10, 11]));
    expect((await cli(`merge ${whole} ${one}`)).stderr).toContain('whole.json is a whole run, not a shard');
    const faster = part('faster.json', 2, 3, { rate: 200 });
    const outcome = await cli(`merge ${one} ${faster} ${three}`);
    expect(outcome.code).toBe(2);
    expect(outcome.stderr).toContain('are not parts of one run: rate: 100 vs 200');
    const unscheduled = part('unscheduled.json', 2, 3, { startAt: null });
    expect((await cli(`merge ${one} ${unscheduled} ${three}`)).stderr).toContain('has no start time');
  });
});

describe('loadtest --start-at and --shard input errors', () => {
  it('exits 2 for a start time in the past or more than a day ahead, and for a malformed shard', async () => {
    const past = await cli('loadtest -t http://127.0.0.1:9/x --start-at 2020-01-01T00:00:00Z --no-progress');
    expect(past.code).toBe(2);
    expect(past.stderr).toMatch(/--start-at 2020-01-01T00:00:00.000Z is \d+\.\d s in the past/);
    // Past 24.8 days a timer fires at once: a far start would have begun now.
    const far = await cli('loadtest -t http://127.0.0.1:9/x --start-at 2100-01-01T00:00:00Z --no-progress');
    expect(far.code).toBe(2);
    expect(far.stderr).toMatch(/--start-at 2100-01-01T00:00:00.000Z is \d+\.\d h ahead; at most 24 h/);
    const shard = await cli('loadtest -t http://127.0.0.1:9/x --shard 3/2 --no-progress');
    expect(shard.code).toBe(2);
    expect(shard.stderr).toContain('--shard must be K/N');
  });
});
