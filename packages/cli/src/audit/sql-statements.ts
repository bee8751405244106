/** One statement of a SQL file, with the name a `-- name: x` line before it gave it. */
export interface SqlStatement {
  name?: string;
  sql: string;
  /** 1-based line where the statement starts, for messages. */
  line: number;
}

/** SQL the splitter could not read to its end: an unterminated string, identifier or comment. */
export class UnterminatedSqlError extends Error {
  constructor(
    readonly what: string,
    readonly line: number,
  ) {
    super(`unterminated ${what} starting on line ${line}`);
    this.name = 'UnterminatedSqlError';
  }
}

const NAME_MARKER = /^--\s*name:\s*(\S+)/;
const DOLLAR_TAG = /^\$(?:[A-Za-z_\u0080-\uffff][A-Za-z0-9_\u0080-\uffff]*)?\$/;
const IDENTIFIER_CHAR = /[A-Za-z0-9_$\u0080-\uffff]/;
const SPACE = /\s/;

/**
 * Splits SQL text into statements at top-level semicolons, the way
 * PostgreSQL reads them: a `;` inside a string (`'…'`, `E'…'`), a quoted
 * identifier, a dollar-quoted body (`$fn$…$fn$`) or a comment does not end a
 * statement. A `-- name: x` line names the statement after it (and ends one
 * left without a semicolon). Statements made only of comments are dropped.
 *
 * @example
 * splitStatements("-- name: a\nSELECT ';'; SELECT 2;").map((s) => s.sql) // ["SELECT ';'", 'SELECT 2']
 */
export function splitStatements(text: string): SqlStatement[] {
  const lineOf = (index: number) => text.slice(0, index).split('\n').length;
  const statements: SqlStatement[] = [];
  let name: string | undefined;
  let start = -1;
  const flush = (end: number) => {
    if (start < 0) return;
    statements.push({
      ...(name === undefined ? {} : { name }),
      sql: text.slice(start, end).trim(),
      line: lineOf(start),
    });
    name = undefined;
    start = -1;
  };
  let i = 0;
  while (i < text.length) {
    const c = text[i] ?? '';
    const next = text[i + 1];
    if (c === '-' && next === '-') {
      const end = lineEnd(text, i);
      const marker = NAME_MARKER.exec(text.slice(i, end));
      if (marker?.[1]) {
        flush(i);
        name = marker[1];
      }
      i = end;
    } else if (c === '/' && next === '*') {
      i = skipBlockComment(text, i, lineOf);
    } else if (c === ';') {
      flush(i);
      i++;
    } else if (SPACE.test(c)) {
      i++;
    } else {
      if (start < 0) start = i;
      if (c === "'") {
        const escapes = /[eE]/.test(text[i - 1] ?? '') && !IDENTIFIER_CHAR.test(text[i - 2] ?? '');
        i = skipQuoted(text, i, "'", escapes, () => new UnterminatedSqlError('string', lineOf(i)));
      } else if (c === '"') {
        i = skipQuoted(text, i, '"', false, () => new UnterminatedSqlError('quoted identifier', lineOf(i)));
      } else if (c === '$' && !IDENTIFIER_CHAR.test(text[i - 1] ?? '')) {
        const tag = DOLLAR_TAG.exec(text.slice(i, i + 64))?.[0];
        if (tag) {
          const close = text.indexOf(tag, i + tag.length);
          if (close < 0) throw new UnterminatedSqlError(`dollar-quoted string ${tag}`, lineOf(i));
          i = close + tag.length;
        } else i++;
      } else i++;
    }
  }
  flush(text.length);
  return statements;
}

/** Index of the end of the line `from` is on: PostgreSQL ends a `--` comment at `\r` as well as `\n`. */
function lineEnd(text: string, from: number): number {
  const end = /[\r\n]/g;
  end.lastIndex = from;
  return end.exec(text)?.index ?? text.length;
}

/** Index just past a quoted string or identifier opened at `open`; a doubled quote is a literal quote. */
function skipQuoted(
  text: string,
  open: number,
  quote: string,
  backslashEscapes: boolean,
  unterminated: () => Error,
): number {
  let i = open + 1;
  while (i < text.length) {
    const c = text[i];
    if (backslashEscapes && c === '\\') i += 2;
    else if (c === quote && text[i + 1] === quote) i += 2;
    else if (c === quote) return i + 1;
    else i++;
  }
  throw unterminated();
}

/** Index just past a block comment opened at `open`; PostgreSQL's block comments nest. */
function skipBlockComment(text: string, open: number, lineOf: (index: number) => number): number {
  let depth = 0;
  let i = open;
  while (i < text.length) {
    if (text[i] === '/' && text[i + 1] === '*') {
      depth++;
      i += 2;
    } else if (text[i] === '*' && text[i + 1] === '/') {
      depth--;
      i += 2;
      if (depth === 0) return i;
    } else i++;
  }
  throw new UnterminatedSqlError('block comment', lineOf(open));
}
