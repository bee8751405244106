import type { Response } from 'express';
import type { AppContext } from '../app-context.js';
import { userIdOf } from '../auth/api-key-auth.js';
import type { ReadScope } from '../modes/app-mode.js';

/**
 * The scope of an authenticated read: the user, the app's "now" and the
 * response's `Server-Timing` timer.
 *
 * @example
 * sendReply(req, res, await source.overview(readScope(context, res), query));
 */
export function readScope(context: Pick<AppContext, 'monitor' | 'now'>, res: Response): ReadScope {
  return { userId: userIdOf(res), now: context.now(), timer: context.monitor.timer(res) };
}
