import { type CompareOptions, compareReports } from '../compare/compare-reports.js';
import type { CompareResult } from '../compare/result-schema.js';
import { isCliError } from '../errors.js';
import { decodeHistogram, mergeHistograms, percentileCurve } from '../loadtest/histogram.js';
import type { LoadtestReport, TargetReport } from '../loadtest/report-schema.js';
import { totalErrors } from '../loadtest/run-result.js';

const escapeHtml = (s: string) =>
  s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );

type Curve = Array<{ percentile: number; ms: number }>;

function curveOf(target: TargetReport): Curve {
  return percentileCurve(mergeHistograms(target.repetitions.map((r) => decodeHistogram(r.histogram))));
}

function niceMax(value: number): number {
  if (value <= 0) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 2.5, 5, 10]) if (step * magnitude >= value) return step * magnitude;
  return 10 * magnitude;
}

/**
 * An inline SVG percentile plot: x is the percentile on a log scale of
 * 1 / (1 − p) (so 90, 99, 99.9 … are evenly spaced and the tail is
 * visible), y is latency in ms; baseline and current overlaid.
 *
 * @example
 * percentilePlot('overview', [{ label: 'baseline', curve, color: '#6b7280' }])
 */
export function percentilePlot(
  title: string,
  series: Array<{ label: string; curve: Curve; color: string; dash?: string }>,
): string {
  const width = 720;
  const height = 340;
  const m = { left: 60, right: 20, top: 30, bottom: 45 };
  const w = width - m.left - m.right;
  const h = height - m.top - m.bottom;
  const nonEmpty = series.filter((s) => s.curve.length > 0);
  const nines = Math.max(
    2,
    ...nonEmpty.map((s) => Math.ceil(-Math.log10(1 - (s.curve.at(-2)?.percentile ?? 99) / 100))),
  );
  const yMax = niceMax(Math.max(...nonEmpty.flatMap((s) => s.curve.map((p) => p.ms)), 0.001) * 1.05);
  const xOf = (percentile: number) => {
    const capped = Math.min(percentile, 100 * (1 - 10 ** -nines));
    return m.left + (w * -Math.log10(1 - capped / 100)) / nines;
  };
  const yOf = (value: number) => m.top + h - (h * value) / yMax;
  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${escapeHtml(title)} latency by percentile">`,
  );
  parts.push(`<text x="${m.left}" y="18" font-size="14" font-weight="600">${escapeHtml(title)}</text>`);
  for (let k = 0; k <= nines; k++) {
    const p = 100 * (1 - 10 ** -k);
    const x = xOf(p);
    const label = k === 0 ? '0%' : `${p.toFixed(Math.max(0, k - 2))}%`;
    parts.push(`<line x1="${x}" y1="${m.top}" x2="${x}" y2="${m.top + h}" stroke="#e5e7eb"/>`);
    parts.push(`<text x="${x}" y="${m.top + h + 16}" font-size="11" text-anchor="middle">${label}</text>`);
  }
  for (let k = 0; k <= 5; k++) {
    const v = (yMax * k) / 5;
    const y = yOf(v);
    parts.push(`<line x1="${m.left}" y1="${y}" x2="${m.left + w}" y2="${y}" stroke="#e5e7eb"/>`);
    parts.push(
      `<text x="${m.left - 6}" y="${y + 4}" font-size="11" text-anchor="end">${Number(v.toPrecision(3))}</text>`,
    );
  }
  parts.push(
    `<text x="${m.left + w / 2}" y="${height - 6}" font-size="12" text-anchor="middle">percentile (log scale)</text>`,
  );
  parts.push(
    `<text x="14" y="${m.top + h / 2}" font-size="12" text-anchor="middle" transform="rotate(-90 14 ${m.top + h / 2})">latency (ms)</text>`,
  );
  nonEmpty.forEach((s, i) => {
    const points = s.curve.map((p) => `${xOf(p.percentile).toFixed(1)},${yOf(p.ms).toFixed(1)}`).join(' ');
    parts.push(
      `<polyline fill="none" stroke="${s.color}" stroke-width="2"${s.dash ? ` stroke-dasharray="${s.dash}"` : ''} points="${points}"><title>${escapeHtml(s.label)}</title></polyline>`,
    );
    parts.push(
      `<rect x="${m.left + 10}" y="${m.top + 8 + i * 18}" width="14" height="3" fill="${s.color}"/>`,
    );
    parts.push(
      `<text x="${m.left + 30}" y="${m.top + 13 + i * 18}" font-size="11">${escapeHtml(s.label)}</text>`,
    );
  });
  parts.push('</svg>');
  return parts.join('');
}

const cell = (v: string | number) => `<td>${escapeHtml(String(v))}</td>`;
const fmt = (v: number) => (v < 1 ? v.toFixed(3) : v < 100 ? v.toFixed(2) : v.toFixed(1));

function summaryTable(label: string, report: LoadtestReport): string {
  const rows = report.targets
    .map(
      (t) =>
        `<tr>${[t.name, t.requests, t.rps.toFixed(1), totalErrors(t.errors), fmt(t.latency.p50), fmt(t.latency.p90), fmt(t.latency.p99), fmt(t.latency.max)].map(cell).join('')}</tr>`,
    )
    .join('');
  return `<h3>${escapeHtml(label)}</h3><table><thead><tr><th>target</th><th>requests</th><th>req/s</th><th>errors</th><th>p50 ms</th><th>p90 ms</th><th>p99 ms</th><th>max ms</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function compareTable(result: CompareResult): string {
  const rows = result.targets
    .flatMap((t) =>
      t.metrics.map(
        (m) =>
          `<tr class="${m.regression ? 'bad' : m.improvement ? 'good' : ''}">${[t.name, m.metric, fmt(m.base), fmt(m.current), `${m.shift >= 0 ? '+' : ''}${(m.shift * 100).toFixed(1)}%`, m.pValue.toPrecision(2), m.regression ? 'regression' : m.improvement ? 'improved' : 'ok'].map(cell).join('')}</tr>`,
      ),
    )
    .join('');
  return `<h2>Gate: ${escapeHtml(result.verdict)}</h2><p>One-sided exact Mann–Whitney over ${result.repetitions.base} + ${result.repetitions.current} repetitions, Holm–Bonferroni at alpha ${result.alpha}, minimum effect ${(result.minEffect * 100).toFixed(0)}%.</p><table><thead><tr><th>target</th><th>metric</th><th>baseline</th><th>current</th><th>shift</th><th>p</th><th>result</th></tr></thead><tbody>${rows}</tbody></table>${result.reasons.length ? `<ul>${result.reasons.map((r) => `<li>${escapeHtml(r)}</li>`).join('')}</ul>` : ''}`;
}

function describe(report: LoadtestReport): string {
  const c = report.config;
  const model =
    c.model === 'open'
      ? `open model, ${c.rate} req/s, latency from intended send time`
      : `closed model, ${c.connections} connections, corrected like wrk`;
  const generator = `${c.workers} generator worker${c.workers === 1 ? '' : 's'}${report.parts ? ` on ${report.parts.length} machines (merged)` : ''}`;
  return `${model}; ${c.durationMs / 1000} s × ${c.repetitions}; ${generator}; commit ${report.metadata.gitCommit?.slice(0, 10) ?? 'unknown'}; ${report.metadata.date}; Node ${report.metadata.nodeVersion}; ${report.metadata.cpuCount} × ${report.metadata.cpuModel}`;
}

/**
 * One self-contained HTML page (inline CSS and SVG, no scripts, no external
 * resources): per target a percentile plot with baseline and current
 * overlaid, the summary tables, and the gate's verdict when there is a
 * baseline with the same configuration (judged with `gate`, as `compare` would).
 *
 * @example
 * writeFileSync('report.html', renderHtmlReport(readReport('current.json'), readReport('base.json')));
 */
export function renderHtmlReport(
  current: LoadtestReport,
  baseline?: LoadtestReport,
  gate: CompareOptions = {},
): string {
  let comparison = '';
  if (baseline) {
    try {
      comparison = compareTable(compareReports(baseline, current, gate));
    } catch (error) {
      if (!isCliError(error)) throw error;
      comparison = `<p class="bad">No gate verdict: ${escapeHtml(error.message)}</p>`;
    }
  }
  const plots = current.targets
    .map((t) => {
      const base = baseline?.targets.find((b) => b.name === t.name);
      const series = [
        ...(base ? [{ label: 'baseline', curve: curveOf(base), color: '#6b7280', dash: '6 4' }] : []),
        { label: 'current', curve: curveOf(t), color: '#d97706' },
      ];
      return `<figure>${percentilePlot(t.name, series)}</figure>`;
    })
    .join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>perf-cli report</title>
<style>
body{font-family:system-ui,-apple-system,Segoe UI,sans-serif;margin:2rem;color:#111827;max-width:1100px}
table{border-collapse:collapse;margin:.5rem 0 1.5rem}th,td{border:1px solid #d1d5db;padding:.25rem .6rem;text-align:right}
th:first-child,td:first-child,td:nth-child(2){text-align:left}tr.bad td{background:#fee2e2}tr.good td{background:#dcfce7}
.bad{color:#b91c1c}figure{margin:0 0 1rem}small{color:#6b7280}
</style></head><body>
<h1>perf-cli report</h1>
<p><small>current: ${escapeHtml(describe(current))}${baseline ? `<br>baseline: ${escapeHtml(describe(baseline))}` : ''}</small></p>
${comparison}
<h2>Latency by percentile</h2>
${plots}
<h2>Figures</h2>
${baseline ? summaryTable('baseline', baseline) : ''}${summaryTable('current', current)}
</body></html>
`;
}
