import type { RequestHandler } from 'express';
import { HttpError } from '../errors.js';

/**
 * The last handler of an API route: the route's path asked with a method it
 * does not answer. `OPTIONS` gets 204 and every other method 405 `method_not_allowed`
 * (RFC 9110), both with `Allow` listing the route's methods (`HEAD` with
 * `GET`, which Express answers through the GET handlers). It runs before
 * authentication: which methods a path has is the API's published shape,
 * not a user's data.
 *
 * @example
 * app.route('/api/leads').post(...guard, createLeadHandler).all(allowOnly('POST'));
 */
export function allowOnly(...methods: string[]): RequestHandler {
  const allow = [...methods, ...(methods.includes('GET') ? ['HEAD'] : []), 'OPTIONS'].join(', ');
  return (req, res) => {
    res.set('Allow', allow);
    if (req.method === 'OPTIONS') {
      res.status(204).end();
      return;
    }
    throw new HttpError(405, 'method_not_allowed', `${req.method} is not allowed here; allowed: ${allow}`);
  };
}
