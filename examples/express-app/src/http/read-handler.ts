import type { Request, RequestHandler, Response } from 'express';
import type { AppContext } from '../app-context.js';
import { userIdOf } from '../auth/api-key-auth.js';
import type { ReadScope } from '../modes/app-mode.js';
import { type Reply, sendReply } from './reply.js';

/** The scope of an authenticated read: the user, the app's "now" and the response's `Server-Timing` timer. */
function readScope(context: Pick<AppContext, 'monitor' | 'now'>, res: Response): ReadScope {
  return { userId: userIdOf(res), now: context.now(), timer: context.monitor.timer(res) };
}

/**
 * A read route's last handler: `read` answers the request in the
 * authenticated user's scope, and the reply goes out with its validators
 * ({@link sendReply}).
 *
 * @example
 * readHandler(context, (req, scope) => source.overview(scope, overviewQuery(req)));
 */
export function readHandler(
  context: Pick<AppContext, 'monitor' | 'now'>,
  read: (req: Request, scope: ReadScope) => Promise<Reply>,
): RequestHandler {
  return async (req, res) => {
    sendReply(req, res, await read(req, readScope(context, res)));
  };
}
