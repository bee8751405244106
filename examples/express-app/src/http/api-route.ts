import type { IRouter, RequestHandler } from 'express';
import { HttpError } from '../errors.js';

/** The methods the API's routes answer, one per path. */
export type ApiMethod = 'GET' | 'POST' | 'PATCH';

const ROUTE_METHOD = { GET: 'get', POST: 'post', PATCH: 'patch' } as const;

/**
 * The route's last handler: its path asked with another method. `OPTIONS`
 * gets 204 and every other method 405 `method_not_allowed` (RFC 9110), both
 * with `Allow` listing what the route answers (`HEAD` with `GET`, which
 * Express answers through the GET handlers). It runs before authentication:
 * which methods a path has is the API's published shape, not a user's data.
 */
function otherMethods(method: ApiMethod): RequestHandler {
  const allow = [method, ...(method === 'GET' ? ['HEAD'] : []), 'OPTIONS'].join(', ');
  return (req, res) => {
    res.set('Allow', allow);
    if (req.method === 'OPTIONS') {
      res.status(204).end();
      return;
    }
    throw new HttpError(405, 'method_not_allowed', `${req.method} is not allowed here; allowed: ${allow}`);
  };
}

/**
 * Registers one API route on `app`: `method` on `path` through `handlers`
 * (the guard first, see `createApp`), and any other method answered 405 or,
 * for `OPTIONS`, 204, each with `Allow`.
 *
 * @example
 * apiRoute(app, 'POST', '/api/leads', [...guard, createLeadHandler]);
 */
export function apiRoute(
  app: IRouter,
  method: ApiMethod,
  path: string,
  handlers: readonly RequestHandler[],
): void {
  const route = app.route(path);
  route[ROUTE_METHOD[method]](...handlers);
  route.all(otherMethods(method));
}
