import { PerfCliError } from '../errors.js';
import { readTextFile } from '../util/files.js';
import type { AuditQuery } from './types.js';

const invalid = (message: string) => new PerfCliError('PERFKIT_CLI_QUERY_FILE_INVALID', message);

/**
 * Reads queries to audit from a file: JSON (`[{ name, sql, parameters? }]`)
 * or SQL, with statements separated by `;` and each optionally named by a
 * `-- name: overview-counts` line before it.
 *
 * @example
 * readQueryFile('queries.sql') // [{ name: 'overview-counts', sql: 'SELECT …', parameters: [] }]
 */
export function readQueryFile(path: string): AuditQuery[] {
  const text = readTextFile(path);
  if (path.endsWith('.json')) return parseJsonQueries(text, path);
  const queries: AuditQuery[] = [];
  let name: string | undefined;
  let body: string[] = [];
  const flush = () => {
    const sql = body.join('\n').trim();
    if (sql) queries.push({ name: name ?? `query-${queries.length + 1}`, sql, parameters: [] });
    name = undefined;
    body = [];
  };
  for (const line of text.split('\n')) {
    const named = /^\s*--\s*name:\s*(\S+)/.exec(line);
    if (named?.[1]) {
      flush();
      name = named[1];
      continue;
    }
    const end = line.lastIndexOf(';');
    if (end >= 0 && !line.trimStart().startsWith('--')) {
      body.push(line.slice(0, end));
      flush();
    } else body.push(line);
  }
  flush();
  if (queries.length === 0) throw invalid(`${path} holds no SQL statements`);
  return queries;
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
    const q = entry as Record<string, unknown>;
    if (typeof q?.sql !== 'string' || !q.sql.trim())
      throw invalid(`${path} query #${i + 1}: "sql" must be a non-empty string`);
    if (q.parameters !== undefined && !Array.isArray(q.parameters))
      throw invalid(`${path} query #${i + 1}: "parameters" must be an array`);
    return {
      name: typeof q.name === 'string' ? q.name : `query-${i + 1}`,
      ...(typeof q.description === 'string' ? { description: q.description } : {}),
      sql: q.sql,
      parameters: (q.parameters as unknown[] | undefined) ?? [],
    };
  });
}
