import type { CompareResult } from '../compare/result-schema.js';
import { ms, pct, renderTable } from './table.js';

const rel = (base: number, current: number) =>
  base === 0 ? (current === 0 ? 0 : Number.POSITIVE_INFINITY) : current / base - 1;

/**
 * Renders a comparison: figures side by side with deltas, then the gate's
 * per-metric tests and its verdict.
 *
 * @example
 * io.stdout.write(formatCompareTable(compareReports(base, current)));
 */
export function formatCompareTable(result: CompareResult): string {
  const lines: string[] = [];
  const rows: Array<Array<string | number>> = [];
  for (const t of result.targets) {
    for (const key of ['p50', 'p90', 'p99', 'max'] as const) {
      rows.push([
        t.name,
        `${key} ms`,
        ms(t.base.latency[key]),
        ms(t.current.latency[key]),
        pct(rel(t.base.latency[key], t.current.latency[key])),
      ]);
    }
    rows.push([
      t.name,
      'req/s',
      t.base.rps.toFixed(1),
      t.current.rps.toFixed(1),
      pct(rel(t.base.rps, t.current.rps)),
    ]);
    rows.push([
      t.name,
      'errors',
      t.base.errors,
      t.current.errors,
      t.current.errors - t.base.errors === 0
        ? '0'
        : `${t.current.errors - t.base.errors > 0 ? '+' : ''}${t.current.errors - t.base.errors}`,
    ]);
  }
  lines.push(renderTable(['target', 'metric', 'baseline', 'current', 'delta'], rows));
  const tests = result.targets.flatMap((t) =>
    t.metrics.map((m) => [
      t.name,
      m.metric,
      m.metric === 'rps' ? m.base.toFixed(1) : ms(m.base),
      m.metric === 'rps' ? m.current.toFixed(1) : ms(m.current),
      pct(m.shift),
      m.pValue.toPrecision(2),
      m.level.toPrecision(2),
      m.skipped ? 'not gated' : m.regression ? 'REGRESSION' : m.improvement ? 'improved' : 'ok',
    ]),
  );
  lines.push(
    `gate: one-sided exact Mann–Whitney over ${result.repetitions.base} + ${result.repetitions.current} repetitions (medians per repetition), Holm–Bonferroni at alpha ${result.alpha}, minimum effect ${pct(result.minEffect)}`,
  );
  lines.push(
    renderTable(
      ['target', 'metric', 'baseline (median)', 'current (median)', 'shift', 'p', 'level', 'result'],
      tests,
    ),
  );
  for (const reason of result.reasons) lines.push(`- ${reason}`);
  lines.push(`verdict: ${result.verdict}`);
  return `${lines.join('\n')}\n`;
}
