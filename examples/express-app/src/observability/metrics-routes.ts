import { timingSafeEqual } from 'node:crypto';
import { Router } from 'express';
import type { AppContext } from '../app-context.js';
import { HttpError } from '../errors.js';

function sameToken(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * `GET /metrics` (Prometheus text) for a scraper holding `METRICS_TOKEN`
 * as a Bearer token; without a configured token the route does not exist,
 * so metrics are never public.
 *
 * @example
 * app.use(metricsRoutes(context));
 */
export function metricsRoutes(context: Pick<AppContext, 'metricsToken' | 'monitor'>): Router {
  const router = Router();
  const { metricsToken } = context;
  if (!metricsToken) return router;
  const serve = context.monitor.metricsHandler();
  router.get('/metrics', (req, res) => {
    const token = /^Bearer (.+)$/.exec(req.get('authorization') ?? '')?.[1];
    if (!token || !sameToken(token, metricsToken)) {
      res.set('WWW-Authenticate', 'Bearer');
      throw new HttpError(401, 'unauthorized', 'Send the metrics token as "Authorization: Bearer <token>"');
    }
    serve(req, res);
  });
  return router;
}
