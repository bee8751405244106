import type { LoadtestReport, TargetReport } from '../loadtest/report-schema.js';
import { totalErrors } from '../loadtest/run-result.js';
import { generatorDemand } from '../loadtest/saturation.js';
import { formatShard } from '../loadtest/shard.js';
import { ms, renderTable } from './table.js';

/**
 * Renders a load-test report as tables: per target, then thresholds.
 *
 * @example
 * io.stdout.write(formatLoadtestTable(report));
 */
export function formatLoadtestTable(report: LoadtestReport): string {
  const { config } = report;
  const closed = config.model === 'closed';
  const lines: string[] = [];
  const generator = `${config.workers} generator worker${config.workers === 1 ? '' : 's'}${
    report.parts
      ? ` on ${report.parts.length} machines (merged)`
      : config.shard
        ? `, shard ${formatShard(config.shard)} of the run`
        : ''
  }`;
  lines.push(
    closed
      ? `closed model: ${config.connections} connections, ${config.durationMs / 1000} s × ${config.repetitions} repetitions, ${generator}; latency corrected for coordinated omission the way wrk does (uncorrected alongside)`
      : `open model: ${config.rate} req/s per target on a fixed schedule, ${config.connections} connections, ${config.durationMs / 1000} s × ${config.repetitions} repetitions, ${generator}; latency from each request's intended send time`,
  );
  const head = [
    'target',
    'requests',
    'req/s',
    'errors',
    'p50 ms',
    'p90 ms',
    'p99 ms',
    'p99.9 ms',
    'max ms',
    'gen load',
  ];
  if (closed) head.push('p99 uncorrected');
  else head.push('late', 'dropped');
  const rows = report.targets.map((t) => {
    const row: Array<string | number> = [
      t.name,
      t.requests,
      t.rps.toFixed(1),
      totalErrors(t.errors),
      ms(t.latency.p50),
      ms(t.latency.p90),
      ms(t.latency.p99),
      ms(t.latency.p999),
      ms(t.latency.max),
      generatorLoad(t),
    ];
    if (closed) row.push(t.uncorrectedLatency ? ms(t.uncorrectedLatency.p99) : '');
    else row.push(t.late, t.dropped);
    return row;
  });
  lines.push(renderTable(head, rows));
  if (report.thresholds.length > 0) {
    lines.push(
      renderTable(
        ['threshold', 'target', 'actual', 'result'],
        report.thresholds.map((t) => [
          t.source,
          t.checkedTarget,
          Number(t.actual.toFixed(3)),
          t.passed ? 'pass' : 'FAIL',
        ]),
      ),
    );
  }
  for (const reason of report.inconclusive) lines.push(`inconclusive: ${reason}`);
  lines.push(`verdict: ${report.verdict}`);
  return `${lines.join('\n')}\n`;
}

/** The most a generator worker needed a CPU over a target's repetitions, as a percentage (blank for reports without it). */
function generatorLoad(target: TargetReport): string {
  const loads = target.repetitions.flatMap((r) => r.generator?.workers ?? []);
  return loads.length === 0 ? '' : `${Math.round(Math.max(...loads.map(generatorDemand)) * 100)}%`;
}
