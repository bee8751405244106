import { PerfCliError } from '../errors.js';
import { readTextFile } from '../util/files.js';
import { redactUrl } from '../util/redact-url.js';

/** One endpoint to load: a name for reports and thresholds, and the request to send. */
export interface LoadTarget {
  /** Short name used in tables, thresholds (`overview:p99<2000`) and baselines. */
  name: string;
  /** Absolute http(s) URL. */
  url: string;
  /** HTTP method. Default: `GET`. */
  method: string;
  /** Request headers. Default: none. */
  headers: Record<string, string>;
  /** Request body, sent as is. Default: none. */
  body?: string;
}

const invalid = (message: string, context: Record<string, unknown> = {}) =>
  new PerfCliError('PERFKIT_CLI_INVALID_TARGETS', message, { context });

function checkUrl(url: string, where: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw invalid(`${where}: "${url}" is not a URL`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw invalid(`${where}: only http and https URLs can be loaded, got "${url}"`);
  }
  return parsed.toString();
}

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** A header as it goes on the wire: a token name and a value without line breaks, so no target can inject a request. */
function checkHeader(name: string, value: string, where: string): [string, string] {
  if (!TOKEN.test(name)) throw invalid(`${where}: "${name}" is not a valid header name`);
  if (/[\r\n\0]/.test(value))
    throw invalid(`${where}: the value of header "${name}" holds a line break or NUL`);
  return [name.toLowerCase(), value];
}

function checkMethod(method: string, where: string): string {
  if (!TOKEN.test(method)) throw invalid(`${where}: "${method}" is not an HTTP method`);
  return method;
}

function defaultName(url: string): string {
  const path = new URL(url).pathname.replace(/\/+$/, '');
  return path.split('/').filter(Boolean).at(-1) ?? 'root';
}

/**
 * Parses a `--target` flag: `URL` or `NAME=URL`, optionally prefixed by a
 * method (`POST NAME=URL`).
 *
 * @example
 * parseTargetFlag('overview=http://127.0.0.1:3000/api/dashboard/overview')
 * // { name: 'overview', url: 'http://127.0.0.1:3000/api/dashboard/overview', method: 'GET', headers: {} }
 */
export function parseTargetFlag(flag: string, headers: Record<string, string> = {}): LoadTarget {
  let rest = flag.trim();
  let method = 'GET';
  const methodMatch = /^([A-Z]+)\s+(.*)$/.exec(rest);
  if (methodMatch?.[1] && methodMatch[2]) {
    method = methodMatch[1];
    rest = methodMatch[2];
  }
  const eq = rest.indexOf('=');
  const looksNamed = eq > 0 && !rest.slice(0, eq).includes('/') && !rest.slice(0, eq).includes(':');
  const name = looksNamed ? rest.slice(0, eq) : undefined;
  const url = checkUrl(looksNamed ? rest.slice(eq + 1) : rest, `target "${flag}"`);
  return { name: name ?? defaultName(url), url, method, headers: { ...headers } };
}

/**
 * Reads targets from a JSON file: an array (or `{ "targets": [...] }`) of
 * `{ name, url, method?, headers?, body? }`; a non-string body is sent as JSON.
 *
 * @example
 * loadTargetsFile('targets.json') // [{ name: 'overview', url: 'http://…', method: 'GET', headers: { authorization: 'Bearer …' } }]
 */
export function loadTargetsFile(path: string): LoadTarget[] {
  const text = readTextFile(path);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw invalid(`${path} is not JSON: ${(error as Error).message}`);
  }
  const list = Array.isArray(raw) ? raw : (raw as { targets?: unknown })?.targets;
  if (!Array.isArray(list) || list.length === 0) {
    throw invalid(`${path}: expected a non-empty array of targets (or { "targets": [...] })`);
  }
  return list.map((entry, index) => {
    const where = `${path} target #${index + 1}`;
    if (typeof entry !== 'object' || entry === null) throw invalid(`${where}: expected an object`);
    const t = entry as Record<string, unknown>;
    if (typeof t.url !== 'string') throw invalid(`${where}: "url" must be a string`);
    const url = checkUrl(t.url, where);
    const headers: Record<string, string> = {};
    if (t.headers !== undefined) {
      if (typeof t.headers !== 'object' || t.headers === null)
        throw invalid(`${where}: "headers" must be an object`);
      for (const [k, v] of Object.entries(t.headers)) {
        const [name, value] = checkHeader(k, String(v), where);
        headers[name] = value;
      }
    }
    let body: string | undefined;
    if (typeof t.body === 'string') body = t.body;
    else if (t.body !== undefined) {
      body = JSON.stringify(t.body);
      headers['content-type'] ??= 'application/json';
    }
    return {
      name: typeof t.name === 'string' && t.name ? t.name : defaultName(url),
      url,
      method: typeof t.method === 'string' ? checkMethod(t.method.toUpperCase(), where) : 'GET',
      headers,
      ...(body === undefined ? {} : { body }),
    };
  });
}

/**
 * Checks targets given as objects: at least one, each with a name of its
 * own (thresholds and reports refer to targets by name), an http(s) URL, a
 * method and headers that can go on the wire.
 *
 * @example
 * checkTargets([a, b]) // returns them, or throws PERFKIT_CLI_INVALID_TARGETS on two targets named "overview"
 */
export function checkTargets(targets: LoadTarget[]): LoadTarget[] {
  if (targets.length === 0) throw invalid('no targets to load');
  const seen = new Set<string>();
  for (const t of targets) {
    if (!t.name) throw invalid(`the target of ${redactUrl(t.url)} has no name`);
    if (seen.has(t.name)) throw invalid(`two targets are named "${t.name}"; each needs a name of its own`);
    seen.add(t.name);
    const where = `target "${t.name}"`;
    checkUrl(t.url, where);
    checkMethod(t.method, where);
    for (const [name, value] of Object.entries(t.headers)) checkHeader(name, value, where);
  }
  return targets;
}

/**
 * Parses `--header "name: value"` flags.
 *
 * @example
 * parseHeaders(['authorization: Bearer k']) // { authorization: 'Bearer k' }
 */
export function parseHeaders(flags: string[]): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const flag of flags) {
    const colon = flag.indexOf(':');
    if (colon <= 0) throw invalid(`header "${flag}" must look like "name: value"`);
    const [name, value] = checkHeader(flag.slice(0, colon).trim(), flag.slice(colon + 1).trim(), 'header');
    headers[name] = value;
  }
  return headers;
}
