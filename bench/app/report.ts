/**
 * The suite's tables: per variant, tenant shape and API what the generator
 * and the app's monitor measured, and each target of issue 14 with the
 * measurement that decides it.
 */
import Table from 'cli-table3';
import type { Measured } from './load.js';
import type { BucketQuantile } from './server-metrics.js';

/** The three APIs, and the ceiling's route standing in for the overview body. */
export type Api = 'overview' | 'analytics' | 'agents';
export type Shape = 'heavy' | 'round-robin';

/** What the app's monitor recorded for one row (from `/metrics`). */
export interface ServerSide {
  /** 2xx responses recorded. */
  count: number;
  p99: BucketQuantile | undefined;
  /** 5xx responses recorded (503s when shedding). */
  status5xx: number;
  /** Longest event-loop delay seen over the row's runs, ms. */
  lagMaxMs: number;
}

/** One measured row: a variant of the app (or the ceiling), a tenant shape, an API. */
export interface Row {
  variant: string;
  shape: Shape;
  api: Api;
  generator: Measured;
  server: ServerSide | undefined;
}

/** One target of issue 14, with the figure that decides it. */
export interface Claim {
  claim: string;
  measured: string;
  target: string;
  verdict: 'met' | 'not met' | 'not decidable';
  note?: string;
}

export const ms = (value: number): string => {
  if (!Number.isFinite(value)) return value > 0 ? '∞' : '–';
  if (value >= 10_000) return `${(value / 1000).toFixed(1)} s`;
  if (value >= 1000) return `${(value / 1000).toFixed(2)} s`;
  return `${value.toFixed(value < 10 ? 2 : value < 100 ? 1 : 0)} ms`;
};

const bucket = (q: BucketQuantile | undefined): string => {
  if (!q) return '–';
  if (q.upperMs === Number.POSITIVE_INFINITY) return `> ${ms(q.lowerMs)}`;
  return `${ms(q.estimateMs)} (${ms(q.lowerMs)}–${ms(q.upperMs)})`;
};

const errors = (m: Measured) => {
  const { status, network, timeout } = m.errors;
  return status + network + timeout === 0 ? '0' : `${status} status / ${network} net / ${timeout} timeout`;
};

const RESULT_HEAD = [
  'variant',
  'tenants',
  'API',
  'ok',
  'errors',
  'p50',
  'p99',
  'p99 raw',
  'req/s',
  'monitor p99',
];

function resultCells(row: Row): string[] {
  const g = row.generator;
  return [
    row.variant,
    row.shape,
    row.api,
    String(g.requests),
    errors(g),
    ms(g.latency.p50),
    ms(g.latency.p99),
    ms(g.raw.p99),
    g.rps >= 100 ? g.rps.toFixed(0) : g.rps.toFixed(2),
    `${Math.round(100 * g.generatorBusy)} %`,
    bucket(row.server?.p99),
  ];
}

const CLAIM_HEAD = ['target', 'measured', 'goal', 'verdict'];
const claimCells = (c: Claim) => [
  c.claim,
  c.measured,
  c.target,
  c.note ? `${c.verdict} (${c.note})` : c.verdict,
];

function terminal(head: string[], rows: string[][]): string {
  const table = new Table({ head, style: { head: [] } });
  for (const row of rows) table.push(row);
  return table.toString();
}

function markdown(head: string[], rows: string[][]): string {
  return [head, head.map(() => '---'), ...rows].map((r) => `| ${r.join(' | ')} |`).join('\n');
}

/** The rows as a terminal table and as Markdown. */
export function resultTables(rows: Row[]): { terminal: string; markdown: string } {
  const cells = rows.map(resultCells);
  return { terminal: terminal(RESULT_HEAD, cells), markdown: markdown(RESULT_HEAD, cells) };
}

/** The claims as a terminal table and as Markdown. */
export function claimTables(claims: Claim[]): { terminal: string; markdown: string } {
  const cells = claims.map(claimCells);
  return { terminal: terminal(CLAIM_HEAD, cells), markdown: markdown(CLAIM_HEAD, cells) };
}

const verdict = (met: boolean): Claim['verdict'] => (met ? 'met' : 'not met');

/** Looks a row up. */
export function findRow(rows: Row[], variant: string, shape: Shape, api: Api): Row | undefined {
  return rows.find((r) => r.variant === variant && r.shape === shape && r.api === api);
}

/** `a ÷ b` as a claim against `atLeast` (or `atMost`). */
export function ratioClaim(
  claim: string,
  a: number,
  b: number,
  goal: { atLeast?: number; atMost?: number },
  format: (ratio: number) => string = (r) => `${r.toFixed(r >= 10 ? 0 : 2)}×`,
): Claim {
  const ratio = a / b;
  const met = goal.atLeast !== undefined ? ratio >= goal.atLeast : ratio <= (goal.atMost as number);
  return {
    claim,
    measured: format(ratio),
    target: goal.atLeast !== undefined ? `≥ ${format(goal.atLeast)}` : `≤ ${format(goal.atMost as number)}`,
    verdict: verdict(met),
  };
}

/** A latency against a bound. */
export function boundClaim(claim: string, valueMs: number, atMostMs: number): Claim {
  return { claim, measured: ms(valueMs), target: `≤ ${ms(atMostMs)}`, verdict: verdict(valueMs <= atMostMs) };
}

/**
 * The monitor's p99 against the generator's (as answered, before correction:
 * the monitor cannot see requests the generator never sent either): never
 * above it, and within 20 % where the route is slower than 20 ms. The monitor's
 * figure comes from Prometheus buckets, so the true value is only known to lie
 * inside one bucket; where the bucket straddles the bound the claim is not
 * decidable from `/metrics`, and the table says so.
 */
export function monitorClaim(row: Row): Claim {
  const generatorMs = row.generator.raw.p99;
  const q = row.server?.p99;
  const name = `monitor p99 vs generator's, ${row.variant}, ${row.shape}, ${row.api}`;
  const measuredText = `${bucket(q)} vs ${ms(generatorMs)}`;
  const slow = generatorMs > 20;
  const target = slow ? 'not above; within 20 %' : 'not above';
  if (!q) return { claim: name, measured: 'no requests recorded', target, verdict: 'not met' };
  const low = slow ? 0.8 * generatorMs : 0;
  const high = generatorMs * (slow ? 1.2 : 1);
  // Not above the generator's p99, and (slow routes) within 20 % of it.
  const wanted = { low, high: Math.min(high, generatorMs) };
  const estimateOk = q.estimateMs >= wanted.low && q.estimateMs <= wanted.high;
  // The true value lies in (lowerMs, upperMs]; decidable only if that interval is all inside or all outside.
  const allInside = q.lowerMs >= wanted.low && q.upperMs <= wanted.high;
  const allOutside = q.upperMs < wanted.low || q.lowerMs > wanted.high;
  if (allInside) return { claim: name, measured: measuredText, target, verdict: 'met' };
  if (allOutside) return { claim: name, measured: measuredText, target, verdict: 'not met' };
  return {
    claim: name,
    measured: measuredText,
    target,
    verdict: 'not decidable',
    note: `bucket straddles the bound; the linear estimate ${estimateOk ? 'meets' : 'misses'} it`,
  };
}
