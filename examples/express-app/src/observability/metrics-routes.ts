import { timingSafeEqual } from 'node:crypto';
import { type RequestHandler, Router } from 'express';
import type { AppContext } from '../app-context.js';
import { bearerToken } from '../auth/api-key-auth.js';
import { HttpError } from '../errors.js';
import { apiRoute } from '../http/api-route.js';

function sameToken(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * `GET /metrics` (Prometheus text) and `GET /metrics/snapshot` (the
 * monitor's snapshot as JSON: per route, exact HDR percentiles over the
 * last `MONITOR_WINDOW_MS`, which Prometheus buckets only bound) for a
 * scraper holding `METRICS_TOKEN` as a Bearer token; without a configured
 * token the routes do not exist, so metrics are never public.
 *
 * @example
 * app.use(metricsRoutes(context));
 */
export function metricsRoutes(context: Pick<AppContext, 'metricsToken' | 'monitor'>): Router {
  const router = Router();
  const { metricsToken, monitor } = context;
  if (!metricsToken) return router;
  const guard: RequestHandler = (req, res, next) => {
    const token = bearerToken(req);
    if (token && sameToken(token, metricsToken)) return next();
    res.set('WWW-Authenticate', 'Bearer');
    throw new HttpError(401, 'unauthorized', 'Send the metrics token as "Authorization: Bearer <token>"');
  };
  apiRoute(router, 'GET', '/metrics', [guard, monitor.metricsHandler()]);
  apiRoute(router, 'GET', '/metrics/snapshot', [
    guard,
    (_req, res) => {
      res.json(monitor.snapshot());
    },
  ]);
  return router;
}
