import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { CommanderError } from 'commander';
import { describe, expect, it } from 'vitest';
import {
  compareResultJsonSchema,
  createProgram,
  loadtestReportJsonSchema,
  writeReport,
} from '../src/index.js';
import { runCli } from '../src/program.js';
import { memoryIo } from './helpers/latency-server.js';
import { buildReport, noisy } from './helpers/report-builder.js';

describe('the perf-cli program', () => {
  it('throws a CommanderError under exitOverride instead of exiting the process', async () => {
    const { io } = memoryIo();
    const program = createProgram(io).exitOverride();
    await expect(program.parseAsync(['no-such-command'], { from: 'user' })).rejects.toBeInstanceOf(
      CommanderError,
    );
  });

  it('lists every command in its help and exits 0', async () => {
    const run = memoryIo();
    expect(await runCli(['--help'], run.io)).toBe(0);
    for (const command of ['audit', 'indexes', 'loadtest', 'compare', 'report', 'calibrate'])
      expect(run.stdout()).toContain(command);
  });

  it('drops a leading --, which pnpm run hands on, instead of reading the command as an operand', async () => {
    const run = memoryIo();
    expect(await runCli(['--', 'audit', '--help'], run.io)).toBe(0);
    expect(run.stdout()).toContain('Usage: perf-cli audit');
    expect(run.stderr()).toBe('');
  });

  it('exits 2 with the usage on stderr when a command is missing, as git and npm do', async () => {
    for (const args of [[], ['indexes']]) {
      const run = memoryIo();
      expect(await runCli(args, run.io), args.join(' ')).toBe(2);
      expect(run.stderr()).toMatch(/^Usage: perf-cli/);
      expect(run.stdout()).toBe('');
    }
  });

  it('exits 2 for a missing argument, naming it', async () => {
    const run = memoryIo();
    expect(await runCli(['compare', 'only-one.json'], run.io)).toBe(2);
    expect(run.stderr()).toContain("missing required argument 'current'");
  });
});

describe('the published JSON Schemas', () => {
  it('accept a load-test report and refuse a changed one', () => {
    const validate = new Ajv({ allErrors: true }).compile(loadtestReportJsonSchema());
    expect(validate(buildReport(noisy(20, 6, 0.05))), JSON.stringify(validate.errors)).toBe(true);
    expect(validate({ ...buildReport([20]), verdict: 'maybe' })).toBe(false);
  });

  it('accept what compare --json prints', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'perf-cli-program-'));
    try {
      writeReport(join(dir, 'base.json'), buildReport(noisy(20, 6, 0.05, 1)));
      writeReport(join(dir, 'current.json'), buildReport(noisy(30, 6, 0.05, 7)));
      const run = memoryIo();
      await runCli(['compare', join(dir, 'base.json'), join(dir, 'current.json'), '--json'], run.io);
      const validate = new Ajv({ allErrors: true }).compile(compareResultJsonSchema());
      expect(validate(JSON.parse(run.stdout())), JSON.stringify(validate.errors)).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
