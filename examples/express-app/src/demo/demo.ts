// `pnpm demo`: the before/after story in one command. Seeds `small`, audits
// the un-indexed schema with perf-cli, measures the naive app before and after
// `perf-cli indexes apply`, then the optimized app cold (cache off) and warm,
// every phase at 50 connections through perf-cli's load generator, and prints
// one before/after table per API with the seed's targets. `--keep` leaves the
// optimized app running; `--help` lists the settings (PGlite, Redis, the load).
import { writeFile } from 'node:fs/promises';
import { constants } from 'node:os';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { type CliIo, runCli, totalErrors } from '@perfkit/cli';
import { startFakeElevenLabs } from '@perfkit/external/fake';
import { dropIndexes, type SeedManifest } from '@perfkit/queries/admin';
import { migrateAndSeed } from '../database-setup.js';
import { EMBEDDED_APP_ENV } from '../embedded-postgres.js';
import type { AppProcess } from '../load/app-process.js';
import { API_PATHS } from '../load/baseline-targets.js';
import { redactUrl } from '../redact.js';
import { demoDatabase } from './demo-database.js';
import { DEMO_PHASES, type DemoLoad, type PhaseResult, runPhase } from './demo-phases.js';
import { demoHtmlReport, formatDemoTables, verdictLines } from './demo-summary.js';

// The database, the seed, the fake ElevenLabs, the audit and `indexes apply`, then one step per phase.
const STEPS = 5 + DEMO_PHASES.length;
const started = performance.now();
let step = 0;

/** A progress line: the step, what it does, and the time since the demo started. */
function progress(message: string): void {
  step++;
  const elapsed = ((performance.now() - started) / 1000).toFixed(0).padStart(3);
  console.log(`\n[${step}/${STEPS} ${elapsed} s] ${message}`);
}

/**
 * perf-cli, in-process, on the demo's database, its output indented under the
 * step; with `summaryOnly`, only its first line and its notes.
 */
async function perfCli(args: string[], databaseUrl: string, { summaryOnly = false } = {}): Promise<number> {
  const indent = (text: string) => text.replace(/^(?=.)/gm, '    ');
  let captured = '';
  const io: CliIo = {
    stdout: {
      write(text: string) {
        if (summaryOnly) captured += text;
        else process.stdout.write(indent(text));
      },
    },
    stderr: { write: (text: string) => process.stderr.write(indent(text)), isTTY: false },
    env: process.env,
    exitCode: 0,
  };
  const command = `perf-cli ${args.join(' ')} --database-url ${redactUrl(databaseUrl)}`;
  console.log(`  $ ${command}`);
  const code = await runCli([...args, '--database-url', databaseUrl], io);
  if (summaryOnly) {
    const lines = captured.split('\n');
    const kept = [lines[0] ?? '', ...lines.filter((line) => line.startsWith('note:'))];
    console.log(indent(`${kept.join('\n')}\n(the whole report: ${command})`));
  }
  return code;
}

/** A tenant of median size: the heavy one would keep the naive phases busy for many minutes. */
function typicalTenant(manifest: SeedManifest) {
  const withAgents = manifest.users
    .filter((user) => user.agents > 0)
    .sort((a, b) => a.agents - b.agents || a.id - b.id);
  const tenant = withAgents[Math.floor(withAgents.length / 2)];
  if (!tenant) throw new Error('the seed has no tenant with agents');
  return tenant;
}

const USAGE = `usage: pnpm demo [--keep]

  --keep   leave the optimized app running at the end (Ctrl-C stops it)

environment: DATABASE_URL (a PostgreSQL server; default: the local one, else the embedded PGlite),
DEMO_EMBEDDED=1 (always PGlite), REDIS_URL (adds Redis to the optimized app),
DEMO_CONNECTIONS (default 50; 10 on PGlite), DEMO_DURATION_MS (load per API and phase, default 5000)`;

/** A positive integer setting from the environment, if set; a wrong one prints the usage and exits 2. */
function positiveIntegerSetting(name: string): number | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return undefined;
  const value = Number(raw);
  if (Number.isInteger(value) && value > 0) return value;
  console.error(`demo: ${name} must be a positive integer, got ${JSON.stringify(raw)}\n\n${USAGE}`);
  process.exit(2);
}

/** The demo's flags; a wrong one prints the usage and exits 2, `--help` prints it and exits 0. */
function demoFlags(): { keep: boolean } {
  try {
    const { values } = parseArgs({
      // pnpm passes a literal `--` through to the script; it is not an argument.
      args: process.argv.slice(2).filter((arg, n) => !(n === 0 && arg === '--')),
      options: { keep: { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h' } },
    });
    if (values.help) {
      console.log(USAGE);
      process.exit(0);
    }
    return { keep: values.keep === true };
  } catch (error) {
    console.error(`demo: ${(error as Error).message}\n\n${USAGE}`);
    process.exit(2);
  }
}

const flags = demoFlags();
const connections = positiveIntegerSetting('DEMO_CONNECTIONS');
const durationMs = positiveIntegerSetting('DEMO_DURATION_MS');
// Until the app is kept for the user, a signal ends the demo at once; the app processes it started
// end with it (app-process.ts). Node's default would skip that and leave them running.
const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
const exitOnSignal = (signal: NodeJS.Signals) => process.exit(128 + constants.signals[signal]);
for (const signal of STOP_SIGNALS) process.on(signal, exitOnSignal);

async function runDemo(): Promise<void> {
  progress('database');
  const database = await demoDatabase(process.env);
  console.log(`  ${database.description}`);
  if (database.embedded) {
    console.log(
      '  ┌──────────────────────────────────────────────────────────────────────────────┐\n' +
        '  │ Running on the embedded PGlite, which executes one                           │\n' +
        '  │ query at a time in WebAssembly, so every figure below is only illustrative.  │\n' +
        '  │ Set DATABASE_URL (or run PostgreSQL locally) for real measurements.          │\n' +
        '  └──────────────────────────────────────────────────────────────────────────────┘',
    );
  }
  const load: DemoLoad = {
    connections: connections ?? (database.embedded ? 10 : 50),
    durationMs: durationMs ?? 5_000,
    timeoutMs: 120_000,
  };

  let kept: AppProcess | undefined;
  const fake = await startFakeElevenLabs({});
  try {
    progress('seeding scale small (then a full rollup of the pre-aggregates)');
    // A previous run left its indexes: the "before" starts from the platform's schema as it is today,
    // and the seed writes faster without them.
    const dropped = (await dropIndexes(database.url)).filter((result) => result.status === 'dropped');
    if (dropped.length > 0) console.log(`  dropped ${dropped.length} indexes a previous run built`);
    const manifest = await migrateAndSeed(database.url, 'small');
    const { counts } = manifest;
    console.log(
      `  ${counts.users} users, ${counts.agents} agents, ${counts.calls} calls, ${counts.leads} leads in ${(manifest.durationMs / 1000).toFixed(1)} s`,
    );
    const tenant = typicalTenant(manifest);
    console.log(`  measured as ${tenant.email}, a typical tenant (${tenant.agents} agents)`);

    progress(`fake ElevenLabs at ${fake.url} (log-normal latency, median 300 ms)`);
    const appEnv: Record<string, string> = {
      DATABASE_URL: database.url,
      NOW: manifest.anchor,
      ELEVENLABS_BASE_URL: fake.url,
      ELEVENLABS_API_KEY: fake.apiKey,
      LOG_LEVEL: 'error',
      // PGlite runs one query at a time: requests queue for a connection far longer than on PostgreSQL.
      ...(database.embedded ? { ...EMBEDDED_APP_ENV, DB_ACQUIRE_TIMEOUT_MS: String(load.timeoutMs) } : {}),
      ...(process.env.REDIS_URL ? { REDIS_URL: process.env.REDIS_URL } : {}),
    };
    console.log(
      process.env.REDIS_URL
        ? `  optimized cache: memory + Redis at ${redactUrl(process.env.REDIS_URL)}`
        : '  optimized cache: memory only (set REDIS_URL to add Redis as L2, bus and leases)',
    );

    progress('perf-cli audit of the un-indexed schema');
    await perfCli(['audit'], database.url, { summaryOnly: true });

    const results: PhaseResult[] = [];
    const phaseLine = (label: string) =>
      `${label}: ${load.connections} connections, ${load.durationMs / 1000} s of load per API (${Object.keys(API_PATHS).join(', ')}), then its last answers`;
    for (const phase of DEMO_PHASES) {
      if (phase.key === 'naive-indexed') {
        progress('perf-cli indexes apply');
        // Without the indexes the next phase would measure the "before" again under another name.
        if ((await perfCli(['indexes', 'apply'], database.url)) !== 0)
          throw new Error('perf-cli indexes apply failed');
      }
      progress(phaseLine(phase.label));
      const keep = flags.keep === true && phase.key === 'optimized-warm';
      const result = await runPhase(phase, { env: appEnv, apiKey: tenant.apiKey, load, keep });
      for (const target of result.report.targets) {
        const errors = totalErrors(target.errors);
        console.log(
          `  ${target.name.padEnd(9)} p50 ${target.latency.p50.toFixed(1)} ms, p99 ${target.latency.p99.toFixed(1)} ms, ${target.rps.toFixed(1)} req/s${errors > 0 ? `, ${errors} ERRORS` : ''}`,
        );
      }
      // perf-cli says when its own generator, not the app, was the limit (two cores shared by all).
      for (const reason of result.report.inconclusive) console.log(`  note: ${reason}`);
      results.push(result);
      kept ??= result.app;
    }

    const setting = [
      database.embedded ? 'PGlite (illustrative)' : 'PostgreSQL',
      ...(process.env.REDIS_URL ? ['optimized cache in memory + Redis'] : []),
      'small seed',
    ];
    console.log(`\nBefore and after, ${setting.join(', ')}:\n`);
    console.log(formatDemoTables(results));
    console.log(`\n${verdictLines(results).join('\n')}`);
    const reportPath = resolve('demo-report.html');
    await writeFile(reportPath, demoHtmlReport(results));
    console.log(`\nHTML report with every phase's latency distribution: ${reportPath}`);
    console.log(`Took ${((performance.now() - started) / 1000).toFixed(0)} s.`);

    if (kept) {
      console.log(`\nThe optimized app keeps running at ${kept.url} (Ctrl-C stops it):`);
      console.log(`  curl -H 'Authorization: Bearer ${tenant.apiKey}' ${kept.url}/api/dashboard/overview`);
      for (const signal of STOP_SIGNALS) process.off(signal, exitOnSignal);
      await new Promise<void>((done) => {
        for (const signal of STOP_SIGNALS) process.once(signal, () => done());
      });
    }
  } finally {
    await kept?.stop();
    await fake.close();
    await database.embedded?.stop();
  }
}

try {
  await runDemo();
} catch (error) {
  // One line that says what went wrong, not a stack trace.
  console.error(`\ndemo: ${(error as Error).message}`);
  process.exitCode = 1;
}
