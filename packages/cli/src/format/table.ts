import Table from 'cli-table3';

/**
 * Renders rows as a plain box table (no colours, so CI logs stay readable).
 *
 * @example
 * renderTable(['target', 'p99'], [['overview', '12.3']])
 */
export function renderTable(head: string[], rows: Array<Array<string | number>>): string {
  const table = new Table({ head, style: { head: [], border: [] } });
  for (const row of rows) table.push(row.map(String));
  return table.toString();
}

/** Formats milliseconds for tables: 3 significant figures, at least 2 decimals below 1 ms. */
export function ms(value: number): string {
  if (value === 0) return '0';
  if (value < 1) return value.toFixed(3);
  if (value < 100) return value.toFixed(2);
  return value.toFixed(1);
}

/** Formats a relative change (`0.123` → `+12.3%`). */
export function pct(value: number): string {
  if (!Number.isFinite(value)) return 'n/a';
  return `${value >= 0 ? '+' : ''}${(value * 100).toFixed(1)}%`;
}
