import { describe, expect, it } from 'vitest';
import { splitStatements, UnterminatedSqlError } from '../src/audit/sql-statements.js';

const sqlOf = (text: string) => splitStatements(text).map((s) => s.sql);

describe('splitStatements', () => {
  it('splits one line holding several statements into one statement each', () => {
    expect(sqlOf('SELECT 1; COMMIT; DELETE FROM leads;')).toEqual([
      'SELECT 1',
      'COMMIT',
      'DELETE FROM leads',
    ]);
  });

  it('does not split at semicolons inside strings, quoted identifiers, dollar quotes or comments', () => {
    const text = [
      "SELECT 'a;b', E'it\\'s;', 'it''s;' AS \"x;y\";",
      'SELECT $$;$$, $fn$ ; $$ ; $fn$; -- a comment; with a semicolon',
      'SELECT /* one; /* nested; */ still; */ 3;',
      'SELECT $1::int;',
    ].join('\n');
    expect(sqlOf(text)).toEqual([
      "SELECT 'a;b', E'it\\'s;', 'it''s;' AS \"x;y\"",
      'SELECT $$;$$, $fn$ ; $$ ; $fn$',
      'SELECT /* one; /* nested; */ still; */ 3',
      'SELECT $1::int',
    ]);
  });

  it('names a statement after its -- name: line and ends one left without a semicolon', () => {
    const statements = splitStatements('-- name: a\nSELECT 1\n-- name: b\nSELECT 2;\n-- just a comment\n');
    expect(statements).toEqual([
      { name: 'a', sql: 'SELECT 1', line: 2 },
      { name: 'b', sql: 'SELECT 2', line: 4 },
    ]);
  });

  it('ends a -- comment at a carriage return, as PostgreSQL does, not only at a newline', () => {
    expect(sqlOf('SELECT 1 --x\r; COMMIT; INSERT INTO t VALUES (17)')).toEqual([
      'SELECT 1 --x',
      'COMMIT',
      'INSERT INTO t VALUES (17)',
    ]);
    expect(splitStatements('-- name: a\r\nSELECT 1;\r\n')).toEqual([{ name: 'a', sql: 'SELECT 1', line: 2 }]);
  });

  it('reports an unterminated string with its line', () => {
    expect(() => splitStatements("SELECT 1;\nSELECT 'open;")).toThrow(UnterminatedSqlError);
    expect(() => splitStatements("SELECT 1;\nSELECT 'open;")).toThrow(
      'unterminated string starting on line 2',
    );
  });
});
