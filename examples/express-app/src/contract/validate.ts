import type { IncomingMessage } from 'node:http';
import parseurl from 'parseurl';
import type { z } from 'zod';
import { HttpError } from '../errors.js';

/**
 * Parses `value` with `schema`, or throws a 400 `invalid_request` naming each
 * offending field.
 *
 * @example
 * const query = validate(overviewQuerySchema, req.query, 'query');
 */
export function validate<S extends z.ZodType>(schema: S, value: unknown, where: string): z.output<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => {
    const field = issue.path.length > 0 ? `${where}.${issue.path.join('.')}` : where;
    return `${field}: ${issue.message}`;
  });
  throw new HttpError(400, 'invalid_request', problems.join('; '));
}

/** Longer query strings are validated every time: valid ones are short, and the memo stays small. */
const MEMO_MAX_QUERY_LENGTH = 256;
/** Distinct query strings a route remembers before its memo starts over. */
const MEMO_MAX_ENTRIES = 1_000;

/** What a query validator reads of a request: its URL and Express's `query`, parsed from it. */
export type QueryRequest = IncomingMessage & { query: unknown };

/**
 * {@link validate} of a route's query string, remembered per string: the
 * same string always parses to the same value, and parsing and validating it
 * took about 5 % of a warm dashboard request's CPU (bench/app NOTES). Only
 * valid queries are remembered, each frozen, as every request with that
 * string shares it; an invalid one throws the same 400 every time.
 *
 * @example
 * const overviewQuery = queryValidator(overviewQuerySchema);
 * const { range } = overviewQuery(req);
 */
export function queryValidator<S extends z.ZodType>(schema: S): (req: QueryRequest) => Readonly<z.output<S>> {
  const memo = new Map<string, Readonly<z.output<S>>>();
  return (req) => {
    // The string Express parses `query` from (parseurl, cached on the request), not the text after the
    // first `?`: in `/api#?range=7d` that is a fragment, and the defaults it parses to must not be
    // remembered for every user's `?range=7d`.
    const search = parseurl(req)?.query;
    const raw = typeof search === 'string' ? search : '';
    let query = memo.get(raw);
    if (query === undefined) {
      query = Object.freeze(validate(schema, req.query, 'query'));
      if (raw.length <= MEMO_MAX_QUERY_LENGTH) {
        if (memo.size >= MEMO_MAX_ENTRIES) memo.clear();
        memo.set(raw, query);
      }
    }
    return query;
  };
}
