import { createHash } from 'node:crypto';
import type { Database } from '@perfkit/queries';
import type { RequestHandler, Response } from 'express';
import type { Kysely } from 'kysely';
import { HttpError } from '../errors.js';

const BEARER = /^Bearer ([\x21-\x7e]{1,256})$/;

/**
 * sha256 hex of an API key, as `users.api_key_hash` stores it.
 *
 * @example
 * hashKey('pk_live_…'); // '9f86d0…'
 */
export function hashKey(apiKey: string): string {
  return createHash('sha256').update(apiKey).digest('hex');
}

/**
 * Middleware that turns `Authorization: Bearer <api key>` into the user id
 * (read it with {@link userIdOf}); a missing, malformed or unknown key is a
 * 401 `unauthorized`, with the same message for each so keys cannot be probed.
 *
 * @example
 * app.use('/api', apiKeyAuth(db));
 */
export function apiKeyAuth(db: Kysely<Database>): RequestHandler {
  return async (req, res, next) => {
    const match = BEARER.exec(req.get('authorization') ?? '');
    const user = match?.[1]
      ? await db
          .selectFrom('users')
          .select('id')
          .where('api_key_hash', '=', hashKey(match[1]))
          .executeTakeFirst()
      : undefined;
    if (!user) {
      res.set('WWW-Authenticate', 'Bearer');
      throw new HttpError(401, 'unauthorized', 'Send a valid API key as "Authorization: Bearer <key>"');
    }
    res.locals.userId = user.id;
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
