import type { IRouter, RequestHandler } from 'express';
import type { AppContext } from '../app-context.js';
import { analyticsQuerySchema, overviewQuerySchema } from '../contract/query-params.js';
import { queryValidator } from '../contract/validate.js';
import { allowOnly } from '../http/allowed-methods.js';
import { readScope } from '../http/read-scope.js';
import { sendReply } from '../http/reply.js';

/**
 * `GET /api/dashboard/overview` and `GET /api/dashboard/analytics`, answered
 * by the mode's data source, each after `guard` (see `createApp`).
 *
 * @example
 * dashboardRoutes(app, context, [apiKeyAuth(userIdForKey)]);
 */
export function dashboardRoutes(app: IRouter, context: AppContext, guard: readonly RequestHandler[]): void {
  const { source } = context.mode;
  const overviewQuery = queryValidator(overviewQuerySchema);
  const analyticsQuery = queryValidator(analyticsQuerySchema);
  app
    .route('/api/dashboard/overview')
    .get(...guard, async (req, res) => {
      sendReply(req, res, await source.overview(readScope(context, res), overviewQuery(req)));
    })
    .all(allowOnly('GET'));
  app
    .route('/api/dashboard/analytics')
    .get(...guard, async (req, res) => {
      sendReply(req, res, await source.analytics(readScope(context, res), analyticsQuery(req)));
    })
    .all(allowOnly('GET'));
}
