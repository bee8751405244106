import type { IRouter, RequestHandler } from 'express';
import type { AppContext } from '../app-context.js';
import { analyticsQuerySchema, overviewQuerySchema } from '../contract/query-params.js';
import { queryValidator } from '../contract/validate.js';
import { apiRoute } from '../http/api-route.js';
import { readHandler } from '../http/read-handler.js';

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
  apiRoute(app, 'GET', '/api/dashboard/overview', [
    ...guard,
    readHandler(context, (req, scope) => source.overview(scope, overviewQuery(req))),
  ]);
  apiRoute(app, 'GET', '/api/dashboard/analytics', [
    ...guard,
    readHandler(context, (req, scope) => source.analytics(scope, analyticsQuery(req))),
  ]);
}
