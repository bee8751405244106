import express, { type Express } from 'express';
import { agentsRoutes } from './agents/agents-routes.js';
import type { AppContext } from './app-context.js';
import { apiKeyAuth } from './auth/api-key-auth.js';
import { dashboardRoutes } from './dashboard/dashboard-routes.js';
import { errorHandler, notFound } from './error-handler.js';
import { healthRoutes } from './health/health-routes.js';
import { leadsRoutes } from './leads/leads-routes.js';
import { metricsRoutes } from './observability/metrics-routes.js';
import { webhooksRoutes } from './webhooks/webhooks-routes.js';

/** Request bodies above this are refused with 413. */
export const BODY_LIMIT_BYTES = 16 * 1024;

/**
 * The platform's HTTP API: the monitor first (so it times everything),
 * everything under `/api` behind load shedding and API-key auth, then
 * `/health` and `/metrics` (neither shed nor authenticated by API key),
 * JSON errors throughout.
 *
 * @example
 * const server = createApp(context).listen(0);
 */
export function createApp(context: AppContext): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(context.monitor.middleware());
  app.use('/api', context.shedder.middleware);
  app.use('/api', apiKeyAuth(context.mode.source.userIdForKey));
  app.use('/api', dashboardRoutes(context));
  app.use('/api', agentsRoutes(context));
  // Only the writes take bodies: the reads above never run the parser.
  app.use('/api', express.json({ limit: BODY_LIMIT_BYTES }));
  app.use('/api', leadsRoutes(context));
  app.use('/api', webhooksRoutes(context));
  // After the API, so that an API request never walks these routers.
  app.use(healthRoutes(context));
  app.use(metricsRoutes(context));
  app.use(notFound);
  app.use(errorHandler(context.logger));
  return app;
}
