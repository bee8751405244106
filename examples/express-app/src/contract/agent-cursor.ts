import { z } from 'zod';
import { HttpError } from '../errors.js';

/**
 * The sort key of the agents list (newest first): `created_at` with
 * microseconds as PostgreSQL stores it, then `id`, both descending.
 */
export interface AgentSortKey {
  /** `created_at` as `YYYY-MM-DDTHH:MM:SS.ffffffZ` (UTC, microseconds, so no row is skipped or repeated). */
  createdAt: string;
  id: number;
}

/** `to_char` format of the sort key; apply it to `created_at AT TIME ZONE 'UTC'`. */
export const AGENT_SORT_KEY_FORMAT = 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"';

const keySchema = z.tuple([
  z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/),
  z.number().int().positive().max(Number.MAX_SAFE_INTEGER),
]);

/**
 * The opaque cursor for the page after the row with this sort key:
 * base64url of `[createdAt, id]` as JSON.
 *
 * @example
 * encodeAgentCursor({ createdAt: '2026-10-01T08:00:00.000000Z', id: 7 }); // 'WyIyMDI2LTEw…'
 */
export function encodeAgentCursor(key: AgentSortKey): string {
  return Buffer.from(JSON.stringify([key.createdAt, key.id])).toString('base64url');
}

/**
 * Decodes a cursor made by {@link encodeAgentCursor}; anything else is a 400
 * `invalid_cursor`.
 *
 * @example
 * decodeAgentCursor(encodeAgentCursor(key)); // key
 */
export function decodeAgentCursor(cursor: string): AgentSortKey {
  const invalid = () => new HttpError(400, 'invalid_cursor', 'cursor is not a cursor returned by this API');
  if (!/^[A-Za-z0-9_-]+$/.test(cursor)) throw invalid();
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  const parsed = keySchema.safeParse(decoded);
  if (!parsed.success) throw invalid();
  const [createdAt, id] = parsed.data;
  return { createdAt, id };
}
