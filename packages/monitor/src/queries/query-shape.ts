const MAX_SHAPE_LENGTH = 1000;

/** Replaces string and numeric literals with `?`; the text no longer carries values. */
export function redactLiterals(text: string): string {
  return text.replace(/'(?:[^']|'')*'/g, '?').replace(/(?<![\w$.])\d+(?:\.\d+)?(?:e[+-]?\d+)?\b/gi, '?');
}

/**
 * The normalised shape of a SQL statement: literals and placeholders become
 * `?`, `IN` lists of them collapse to one, whitespace is single. Queries differing
 * only in values share a shape, which keys the statistics and the `EXPLAIN`
 * rate limit.
 */
export function queryShape(sql: string): string {
  return redactLiterals(sql)
    .replace(/\$\d+/g, '?')
    .replace(/\bin\s*\(\s*\?(?:\s*,\s*\?)+\s*\)/gi, 'in (?)')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, MAX_SHAPE_LENGTH);
}

/** The statement's operation in upper case (`SELECT`, `INSERT` …), as OpenTelemetry's `db.operation.name`. */
export function queryOperation(sql: string): string {
  const keyword = /^\s*(?:\(\s*)*([a-z]+)/i.exec(sql)?.[1];
  return keyword === undefined ? 'OTHER' : keyword.toUpperCase();
}
