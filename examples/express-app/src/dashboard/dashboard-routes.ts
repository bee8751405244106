import { Router } from 'express';
import type { AppContext } from '../app-context.js';
import { userIdOf } from '../auth/api-key-auth.js';
import { analyticsQuerySchema, overviewQuerySchema } from '../contract/query-params.js';
import { validate } from '../contract/validate.js';
import { sendReply } from '../http/reply.js';

/**
 * `GET /dashboard/overview` and `GET /dashboard/analytics`, answered by the
 * mode's data source.
 *
 * @example
 * app.use('/api', apiKeyAuth(userIdForKey), dashboardRoutes(context));
 */
export function dashboardRoutes(context: AppContext): Router {
  const router = Router();
  const { source } = context.mode;
  router.get('/dashboard/overview', async (req, res) => {
    const query = validate(overviewQuerySchema, req.query, 'query');
    sendReply(req, res, await source.overview(userIdOf(res), query, context.now()));
  });
  router.get('/dashboard/analytics', async (req, res) => {
    const query = validate(analyticsQuerySchema, req.query, 'query');
    sendReply(req, res, await source.analytics(userIdOf(res), query, context.now()));
  });
  return router;
}
