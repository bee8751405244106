import { InvalidCursorError } from '../errors.js';

/**
 * The agents list's sort key (newest first): `created_at` as PostgreSQL
 * stores it (microseconds, UTC), then `id`, both descending.
 */
export interface AgentSortKey {
  /** `YYYY-MM-DDTHH:MM:SS.ffffffZ`. */
  createdAt: string;
  id: number;
}

/** How SQL renders `created_at` as an {@link AgentSortKey} (`to_char` pattern, UTC sessions). */
export const AGENT_SORT_KEY_FORMAT = 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"';

const CREATED_AT = /^(\d{4})-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

/** Years a cursor may name: any a row's `created_at` renders with four digits (AD), which PostgreSQL reads back. */
const YEARS = { min: 1, max: 9999 } as const;

/** Whether `value` names a real instant: no 30 February, month 13 or year 0 that `Date.parse` would shift. */
function isExactTimestamp(value: string): boolean {
  const match = CREATED_AT.exec(value);
  if (!match) return false;
  const year = Number(match[1]);
  if (year < YEARS.min || year > YEARS.max) return false;
  const millis = `${value.slice(0, 23)}Z`;
  const parsed = Date.parse(millis);
  return !Number.isNaN(parsed) && new Date(parsed).toISOString() === millis;
}

/**
 * The opaque cursor after a row: base64url of `[createdAt, id]` as JSON.
 *
 * @example
 * encodeAgentsCursor({ createdAt: '2026-10-01T08:00:00.000000Z', id: 7 });
 */
export function encodeAgentsCursor(key: AgentSortKey): string {
  return Buffer.from(JSON.stringify([key.createdAt, key.id])).toString('base64url');
}

/**
 * Decodes a cursor from {@link encodeAgentsCursor}; anything else throws
 * {@link InvalidCursorError}, including a timestamp that does not round-trip
 * exactly (`2026-02-30`, month 13, year 0).
 *
 * @example
 * decodeAgentsCursor(page.nextCursor); // { createdAt, id }
 */
export function decodeAgentsCursor(cursor: string): AgentSortKey {
  if (!/^[A-Za-z0-9_-]{1,200}$/.test(cursor)) throw new InvalidCursorError();
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch (cause) {
    throw new InvalidCursorError(undefined, { cause });
  }
  if (
    !Array.isArray(decoded) ||
    decoded.length !== 2 ||
    typeof decoded[0] !== 'string' ||
    !isExactTimestamp(decoded[0]) ||
    !Number.isSafeInteger(decoded[1]) ||
    decoded[1] < 1
  ) {
    throw new InvalidCursorError();
  }
  return { createdAt: decoded[0], id: decoded[1] };
}
