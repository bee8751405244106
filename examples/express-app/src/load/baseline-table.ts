import Table from 'cli-table3';
import type { LoadResult } from './baseline-load.js';

const seconds = (ms: number) => (ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`);

const HEADER = ['endpoint', 'tenants', 'ok', 'non-2xx', 'timeouts', 'errors', 'p50', 'p99', 'max', 'req/s'];

function cells(result: LoadResult): string[] {
  const measured = result.ok > 0;
  return [
    result.endpoint,
    result.tenants,
    String(result.ok),
    String(result.non2xx),
    String(result.timeouts),
    String(result.errors),
    measured ? seconds(result.p50) : '–',
    measured ? seconds(result.p99) : '–',
    measured ? seconds(result.max) : '–',
    result.throughput.toFixed(2),
  ];
}

/**
 * The results as a terminal table.
 *
 * @example
 * console.log(formatTable(results));
 */
export function formatTable(results: LoadResult[]): string {
  const table = new Table({ head: HEADER, style: { head: [] } });
  for (const result of results) table.push(cells(result));
  return table.toString();
}

/**
 * The results as a Markdown table, for the README.
 *
 * @example
 * console.log(formatMarkdown(results));
 */
export function formatMarkdown(results: LoadResult[]): string {
  const rows = [HEADER, HEADER.map(() => '---'), ...results.map(cells)];
  return rows.map((row) => `| ${row.join(' | ')} |`).join('\n');
}
