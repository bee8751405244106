import { Router } from 'express';
import type { AppContext } from '../app-context.js';
import { userIdOf } from '../auth/api-key-auth.js';
import { analyticsQuerySchema, overviewQuerySchema } from '../contract/query-params.js';
import { validate } from '../contract/validate.js';

/**
 * `GET /dashboard/overview` and `GET /dashboard/analytics`, answered by the
 * mode's data source.
 *
 * @example
 * app.use('/api', apiKeyAuth(db), dashboardRoutes(context));
 */
export function dashboardRoutes(context: AppContext): Router {
  const router = Router();
  router.get('/dashboard/overview', async (req, res) => {
    const query = validate(overviewQuerySchema, req.query, 'query');
    res.json(await context.source.overview(context.deps, userIdOf(res), query, context.now()));
  });
  router.get('/dashboard/analytics', async (req, res) => {
    const query = validate(analyticsQuerySchema, req.query, 'query');
    res.json(await context.source.analytics(context.deps, userIdOf(res), query, context.now()));
  });
  return router;
}
