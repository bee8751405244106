import { hash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Database } from '@perfkit/queries';
import type { RequestHandler, Response } from 'express';
import type { Kysely } from 'kysely';
import { HttpError } from '../errors.js';

// The scheme is case-insensitive and followed by one or more spaces (RFC 9110, 11.1); the token is
// case-sensitive.
const BEARER = /^bearer +([\x21-\x7e]{1,256})$/i;

/**
 * The token of the request's `Authorization: Bearer <token>` header
 * (printable ASCII, at most 256 characters), or `undefined`. Two
 * `Authorization` headers are a 400: node keeps the first, a proxy in front
 * may read the last, and the two would authenticate different users.
 *
 * @example
 * bearerToken(req); // 'pk_live_…'
 */
export function bearerToken(req: IncomingMessage): string | undefined {
  let headers = 0;
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i] as string;
    if (name.length === 13 && name.toLowerCase() === 'authorization') headers++;
  }
  if (headers > 1) throw new HttpError(400, 'bad_request', 'Send one Authorization header, not several');
  return BEARER.exec(req.headers.authorization ?? '')?.[1];
}

/**
 * sha256 hex of an API key, as `users.api_key_hash` stores it.
 *
 * @example
 * hashKey('pk_live_…'); // '9f86d0…'
 */
export function hashKey(apiKey: string): string {
  // One-shot: every request hashes its key, and a Hash object per call costs more than the digest.
  return hash('sha256', apiKey, 'hex');
}

/**
 * The id of the user holding `apiKey`, from the database, or `undefined`.
 *
 * @example
 * const userId = await findUserIdByKey(db, 'pk_live_…');
 */
export async function findUserIdByKey(db: Kysely<Database>, apiKey: string): Promise<number | undefined> {
  const user = await db
    .selectFrom('users')
    .select('id')
    .where('api_key_hash', '=', hashKey(apiKey))
    .executeTakeFirst();
  return user?.id;
}

/**
 * Middleware that turns `Authorization: Bearer <api key>` into the user id
 * (read it with {@link userIdOf}) through `userIdForKey`; a missing, malformed
 * or unknown key is a 401 `unauthorized`, with the same message for each so
 * keys cannot be probed.
 *
 * @example
 * app.use('/api', apiKeyAuth((key) => findUserIdByKey(db, key)));
 */
export function apiKeyAuth(userIdForKey: (apiKey: string) => Promise<number | undefined>): RequestHandler {
  return async (req, res, next) => {
    const apiKey = bearerToken(req);
    const userId = apiKey ? await userIdForKey(apiKey) : undefined;
    if (userId === undefined) {
      res.set('WWW-Authenticate', 'Bearer');
      throw new HttpError(401, 'unauthorized', 'Send a valid API key as "Authorization: Bearer <key>"');
    }
    res.locals.userId = userId;
    next();
  };
}

/**
 * The authenticated user's id, set by {@link apiKeyAuth}.
 *
 * @example
 * const userId = userIdOf(res);
 */
export function userIdOf(res: Response): number {
  const userId: unknown = res.locals.userId;
  if (typeof userId !== 'number') throw new Error('userIdOf called on a route without apiKeyAuth');
  return userId;
}
