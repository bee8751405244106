import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import {
  calibrateGate,
  compareReports,
  InvalidOptionError,
  LOADTEST_LIMITS,
  type LoadtestOptions,
  mergeReports,
  PerfCliError,
  parseTargetFlag,
  runAudit,
  runLoadtest,
  writeReport,
} from '../src/index.js';
import { resolveLoadtestOptions } from '../src/loadtest/loadtest-options.js';
import { runCli } from '../src/program.js';
import { memoryIo } from './helpers/latency-server.js';
import { buildReport, noisy } from './helpers/report-builder.js';

// Nothing listens on port 9: a check that let a bad option through would fail later with another error.
const targets = [parseTargetFlag('thing=http://127.0.0.1:9/x')];

const rejection = async (run: () => unknown) => {
  try {
    await run();
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
};

/** The library's error: typed, naming the option, never a CLI flag. */
const expectNamed = (error: unknown, option: string) => {
  expect(error).toBeInstanceOf(InvalidOptionError);
  expect(error).toMatchObject({ code: 'PERFKIT_CLI_INVALID_OPTION', option, exitCode: 2 });
  expect((error as Error).message.startsWith(`${option} `)).toBe(true);
  expect((error as Error).message).not.toMatch(/(^|\s)-{1,2}[a-z]/);
};

describe('library functions', () => {
  it('runLoadtest rejects a bad option with an InvalidOptionError naming the option', async () => {
    const cases: Array<[Partial<LoadtestOptions>, string]> = [
      [{ warmupMs: -1 }, 'warmupMs'],
      [{ durationMs: 0 }, 'durationMs'],
      [{ durationMs: LOADTEST_LIMITS.durationMs + 1 }, 'durationMs'],
      [{ warmupMs: LOADTEST_LIMITS.durationMs + 1 }, 'warmupMs'],
      [{ rate: LOADTEST_LIMITS.rate * 1.5 }, 'rate'],
      [{ connections: LOADTEST_LIMITS.connections + 1 }, 'connections'],
      [{ repetitions: LOADTEST_LIMITS.repetitions + 1 }, 'repetitions'],
      [{ rate: 0 }, 'rate'],
      [{ connections: 1.5 }, 'connections'],
      [{ repetitions: 0 }, 'repetitions'],
      [{ timeoutMs: Number.NaN }, 'timeoutMs'],
      [{ connections: 2, workers: 3 }, 'workers'],
      [{ shard: { index: 3, count: 2 } }, 'shard'],
      [{ startAt: new Date(0) }, 'startAt'],
      [{ startAt: new Date(Date.now() + LOADTEST_LIMITS.startAheadMs + 60_000) }, 'startAt'],
      [{ model: 'ajar' as LoadtestOptions['model'] }, 'model'],
    ];
    for (const [options, option] of cases)
      expectNamed(await rejection(() => runLoadtest({ targets, ...options })), option);
    expect((await rejection(() => runLoadtest({ targets, warmupMs: -1 }))) as Error).toHaveProperty(
      'message',
      'warmupMs must be >= 0 and <= 604800000 ms, got -1 ms',
    );
  });

  it('accepts each load option at its limit', () => {
    const limits = {
      rate: LOADTEST_LIMITS.rate,
      connections: LOADTEST_LIMITS.connections,
      durationMs: LOADTEST_LIMITS.durationMs,
      warmupMs: LOADTEST_LIMITS.durationMs,
      repetitions: LOADTEST_LIMITS.repetitions,
    };
    expect(resolveLoadtestOptions({ targets, ...limits, workers: 1 })).toMatchObject(limits);
  });

  it('runLoadtest refuses no targets, and two targets with one name, in library terms', async () => {
    const none = await rejection(() => runLoadtest({ targets: [] }));
    expect(none).toMatchObject({ code: 'PERFKIT_CLI_INVALID_TARGETS', message: 'no targets to load' });
    const twice = await rejection(() => runLoadtest({ targets: [...targets, ...targets] }));
    expect(twice).toMatchObject({
      code: 'PERFKIT_CLI_INVALID_TARGETS',
      message: 'two targets are named "thing"; each needs a name of its own',
    });
  });

  it('compareReports and calibrateGate name alpha, minEffect and metrics', async () => {
    const base = buildReport(noisy(20, 12, 0.05));
    expectNamed(await rejection(() => compareReports(base, base, { alpha: 0 })), 'alpha');
    expectNamed(await rejection(() => compareReports(base, base, { minEffect: -0.1 })), 'minEffect');
    expectNamed(await rejection(() => compareReports(base, base, { metrics: [] })), 'metrics');
    expectNamed(await rejection(() => calibrateGate(base, { alpha: 1 })), 'alpha');
    expectNamed(await rejection(() => calibrateGate(base, { trials: 0 })), 'trials');
  });

  it('runAudit names a bad option before it connects to anything', async () => {
    const unreachable = 'postgresql://nobody@127.0.0.1:9/none';
    expectNamed(
      await rejection(() => runAudit({ connectionString: unreachable, statementTimeoutMs: 0 })),
      'statementTimeoutMs',
    );
    expectNamed(
      await rejection(() => runAudit({ connectionString: unreachable, planChecks: { discardRatio: 2 } })),
      'planChecks.discardRatio',
    );
    expectNamed(await rejection(() => runAudit({ connectionString: 'notaurl' })), 'connectionString');
    expectNamed(await rejection(() => runAudit({ connectionString: unreachable, schema: 'App' })), 'schema');
  });

  it('runAudit names DATABASE_URL for a bad URL it read from there', async () => {
    vi.stubEnv('DATABASE_URL', 'mysql://x@127.0.0.1/x');
    try {
      expectNamed(await rejection(() => runAudit()), 'DATABASE_URL');
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it('mergeReports explains a part that is not a shard without naming a flag', async () => {
    const error = await rejection(() => mergeReports([{ source: 'whole.json', report: buildReport([10]) }]));
    expect(error).toBeInstanceOf(PerfCliError);
    expect(error).toMatchObject({
      code: 'PERFKIT_CLI_CANNOT_MERGE',
      message: 'whole.json is a whole run, not a shard of one',
    });
  });
});

describe('the CLI', () => {
  const dir = mkdtempSync(join(tmpdir(), 'perf-cli-option-names-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const report = join(dir, 'report.json');
  writeReport(report, buildReport(noisy(20, 12, 0.05)));
  const load = ['loadtest', '-t', 'http://127.0.0.1:9/x', '--no-progress'];

  it('refuses a duration, warm-up, repetitions, rate or connections beyond any real run, naming the limit', async () => {
    const cases: Array<[string[], string]> = [
      [['-d', '99999999999999999999d'], '--duration must be > 0 and <= 604800000 ms, got 8.64e+27 ms'],
      [['--warmup', '8d'], '--warmup must be >= 0 and <= 604800000 ms, got 691200000 ms'],
      [['-r', '1e9'], '--repetitions must be an integer >= 1 and <= 100, got 1000000000'],
      [['--rate', '1e9'], '--rate must be a number > 0 and <= 1000000, got 1000000000'],
      [['-c', '1000000'], '--connections must be an integer >= 1 and <= 100000, got 1000000'],
    ];
    for (const [args, message] of cases) {
      const run = memoryIo();
      expect(await runCli([...load, ...args], run.io), args.join(' ')).toBe(2);
      expect(run.stderr()).toBe(`perf-cli: ${message}\n`);
    }
    const help = memoryIo();
    await runCli(['loadtest', '--help'], help.io);
    for (const limit of ['at most 1000000', 'at most 100000', 'at most 7d', 'at most 100)'])
      expect(help.stdout().replace(/\s+/g, ' ')).toContain(limit);
  });

  it('names DATABASE_URL, not --database-url, when the URL that is not a PostgreSQL one came from there', async () => {
    vi.stubEnv('DATABASE_URL', 'mysql://x@127.0.0.1/x');
    try {
      for (const args of [['audit'], ['indexes', 'plan'], ['indexes', 'apply'], ['indexes', 'status']]) {
        const run = memoryIo();
        expect(await runCli(args, run.io), args.join(' ')).toBe(2);
        expect(run.stderr()).toBe(
          'perf-cli: DATABASE_URL must be a PostgreSQL URL: postgresql://user[:password]@host[:port]/database\n',
        );
      }
      const flag = memoryIo();
      expect(await runCli(['audit', '--database-url', 'mysql://x@127.0.0.1/x'], flag.io)).toBe(2);
      expect(flag.stderr()).toMatch(/^perf-cli: --database-url must be a PostgreSQL URL/);
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it('prints the flag of the option the library refused, in one line, and exits 2', async () => {
    const cases: Array<[string[], string]> = [
      [[...load, '--duration', '0'], '--duration must be > 0 and <= 604800000 ms, got 0 ms'],
      [[...load, '--rate', '0'], '--rate must be a number > 0 and <= 1000000, got 0'],
      [[...load, '-c', '2', '--workers', '3'], '--workers 3 needs at least one connection each'],
      [['compare', report, report, '--alpha', '0'], '--alpha must be a number > 0 and < 1, got 0'],
      [['compare', report, report, '--metric', 'p97'], '--metric must each be one of mean, p50'],
      [['calibrate', '--from', report, '--min-effect', '-1'], '--min-effect must be a number >= 0, got -1'],
      [
        ['audit', '--statement-timeout', '0'],
        '--statement-timeout must be > 0 and <= 2147483647 ms, got 0 ms',
      ],
      [['audit', '--database-url', 'notaurl'], '--database-url must be a PostgreSQL URL'],
      [['indexes', 'plan', '--database-url', 'notaurl'], '--database-url must be a PostgreSQL URL'],
      [
        ['indexes', 'apply', '--database-url', 'http://127.0.0.1:9/x'],
        '--database-url must be a PostgreSQL URL',
      ],
    ];
    for (const [args, message] of cases) {
      const run = memoryIo();
      expect(await runCli(args, run.io), args.join(' ')).toBe(2);
      expect(run.stderr()).toMatch(
        new RegExp(`^perf-cli: ${message.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}.*\n$`),
      );
    }
  });
});
