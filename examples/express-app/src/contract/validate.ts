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
