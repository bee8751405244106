import { Router } from 'express';
import type { AppContext } from '../app-context.js';
import { analyticsQuerySchema, overviewQuerySchema } from '../contract/query-params.js';
import { validate } from '../contract/validate.js';
import { readScope } from '../http/read-scope.js';
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
    sendReply(req, res, await source.overview(readScope(context, res), query));
  });
  router.get('/dashboard/analytics', async (req, res) => {
    const query = validate(analyticsQuerySchema, req.query, 'query');
    sendReply(req, res, await source.analytics(readScope(context, res), query));
  });
  return router;
}
