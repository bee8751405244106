import express, { type Express, type RequestHandler } from 'express';
import { agentsRoutes } from './agents/agents-routes.js';
import type { AppContext } from './app-context.js';
import { apiKeyAuth, findUserIdByKey } from './auth/api-key-auth.js';
import { dashboardRoutes } from './dashboard/dashboard-routes.js';
import { errorHandler, notFound } from './error-handler.js';
import { HttpError } from './errors.js';
import { healthRoutes } from './health/health-routes.js';
import { leadsRoutes } from './leads/leads-routes.js';
import { metricsRoutes } from './observability/metrics-routes.js';
import { webhooksRoutes } from './webhooks/webhooks-routes.js';

/** Request bodies above this are refused with 413. */
export const BODY_LIMIT_BYTES = 16 * 1024;

/** After the JSON parser: a write without a JSON body (another content type, or none) is a 415. */
const requireJsonBody: RequestHandler = (req, _res, next) => {
  if (req.body !== undefined) return next();
  next(
    new HttpError(
      415,
      'unsupported_media_type',
      'Send the request body as JSON (Content-Type: application/json)',
    ),
  );
};

/**
 * The platform's HTTP API: the monitor first (so it times everything),
 * everything under `/api` behind load shedding and API-key auth (the mode's,
 * cached for reads; the database's for writes), then
 * `/health` and `/metrics` (neither shed nor authenticated by API key),
 * JSON errors throughout.
 *
 * The API's routes sit on the app itself, with their full paths, each
 * running the guard (shedding, auth, and for writes the body parser) as its
 * first handlers. Mounted as `app.use('/api', …)` layers and routers, every
 * request paid a path match and a URL rewrite per layer: 4–6 % of a warm
 * request's throughput (bench/app NOTES).
 *
 * @example
 * const server = createApp(context).listen(0);
 */
export function createApp(context: AppContext): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(context.monitor.middleware());
  const guard = [context.shedder.middleware, apiKeyAuth(context.mode.source.userIdForKey)];
  // Writes ask the database for the key, whatever the mode caches for reads: a revoked key stops
  // writing at once. Only the writes take bodies: the reads never run the parser.
  const writeGuard = [
    context.shedder.middleware,
    apiKeyAuth((apiKey) => findUserIdByKey(context.db, apiKey)),
    express.json({ limit: BODY_LIMIT_BYTES }),
    requireJsonBody,
  ];
  dashboardRoutes(app, context, guard);
  agentsRoutes(app, context, guard);
  leadsRoutes(app, context, writeGuard);
  webhooksRoutes(app, context, writeGuard);
  // Any other /api path is shed and authenticated like the routes, then a 404. (A route's path with a
  // method it does not answer is a 405 with `Allow`, from the route's own last handler: apiRoute.)
  app.use('/api', guard);
  // After the API, so that an API request never walks these routers.
  app.use(healthRoutes(context));
  app.use(metricsRoutes(context));
  app.use(notFound);
  app.use(errorHandler(context.logger));
  return app;
}
