import { PerfCliError } from '../errors.js';
import { readTextFile } from '../util/files.js';
import { splitStatements, UnterminatedSqlError } from './sql-statements.js';
import type { AuditQuery } from './types.js';

const invalid = (message: string) => new PerfCliError('PERFKIT_CLI_QUERY_FILE_INVALID', message);

/** The statements EXPLAIN accepts that a query file may hold; anything else (COMMIT, SET, DO, VACUUM …) is refused up front. */
const EXPLAINABLE = ['SELECT', 'WITH', 'VALUES', 'TABLE', 'INSERT', 'UPDATE', 'DELETE', 'MERGE'];

function checkExplainable(query: AuditQuery, where: string): AuditQuery {
  const keyword = /^[\s(]*([A-Za-z]+)/.exec(query.sql)?.[1]?.toUpperCase() ?? '';
  if (!EXPLAINABLE.includes(keyword)) {
    throw invalid(
      `${where}: ${query.name} is a ${keyword || 'non-SQL'} statement, which the audit does not run: it explains ${EXPLAINABLE.join(', ')} statements, each alone in a read-only transaction that is rolled back`,
    );
  }
  return query;
}

/**
 * Reads queries to audit from a file: JSON (`[{ name, sql, parameters? }]`,
 * one statement per entry) or SQL, with statements separated by `;` (as
 * PostgreSQL reads them: not inside strings, dollar quotes or comments) and
 * each optionally named by a `-- name: overview-counts` line before it.
 * Statements EXPLAIN cannot take — transaction control above all — are
 * refused with a message naming them.
 *
 * @example
 * readQueryFile('queries.sql') // [{ name: 'overview-counts', sql: 'SELECT …', parameters: [] }]
 */
export function readQueryFile(path: string): AuditQuery[] {
  const text = readTextFile(path);
  if (path.endsWith('.json')) return parseJsonQueries(text, path);
  const statements = split(text, path);
  if (statements.length === 0) throw invalid(`${path} holds no SQL statements`);
  return statements.map((s, i) =>
    checkExplainable(
      { name: s.name ?? `query-${i + 1}`, sql: s.sql, parameters: [] },
      `${path} line ${s.line}`,
    ),
  );
}

function split(text: string, where: string) {
  try {
    return splitStatements(text);
  } catch (error) {
    if (error instanceof UnterminatedSqlError) throw invalid(`${where}: ${error.message}`);
    throw error;
  }
}

function parseJsonQueries(text: string, path: string): AuditQuery[] {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw invalid(`${path} is not JSON: ${(error as Error).message}`);
  }
  if (!Array.isArray(data) || data.length === 0)
    throw invalid(`${path}: expected a non-empty array of { name, sql, parameters? }`);
  return data.map((entry, i) => {
    const where = `${path} query #${i + 1}`;
    const q = entry as Record<string, unknown>;
    if (typeof q?.sql !== 'string' || !q.sql.trim())
      throw invalid(`${where}: "sql" must be a non-empty string`);
    if (q.parameters !== undefined && !Array.isArray(q.parameters))
      throw invalid(`${where}: "parameters" must be an array`);
    const statements = split(q.sql, where);
    if (statements.length !== 1)
      throw invalid(`${where}: "sql" must hold exactly one statement, found ${statements.length}`);
    return checkExplainable(
      {
        name: typeof q.name === 'string' ? q.name : `query-${i + 1}`,
        ...(typeof q.description === 'string' ? { description: q.description } : {}),
        sql: statements[0]?.sql ?? q.sql,
        parameters: (q.parameters as unknown[] | undefined) ?? [],
      },
      where,
    );
  });
}
