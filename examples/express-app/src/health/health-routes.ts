import { Router } from 'express';
import { sql } from 'kysely';
import type { AppContext } from '../app-context.js';
import { loggableError } from '../error-handler.js';
import { apiRoute } from '../http/api-route.js';

/**
 * `GET /health` (no auth, never shed): 200 `{ status: 'ok', mode, database:
 * 'up', … }` with the mode's own parts (cache tier, change listener), or 503
 * with `database: 'down'` when PostgreSQL does not answer.
 *
 * @example
 * app.use(healthRoutes(context));
 */
export function healthRoutes(context: AppContext): Router {
  const router = Router();
  // Like an API route: other methods are 405 (OPTIONS 204), with `Allow`.
  apiRoute(router, 'GET', '/health', [
    async (_req, res) => {
      const parts = context.mode.health();
      try {
        await sql`SELECT 1`.execute(context.db);
        res.json({ status: 'ok', mode: context.modeName, database: 'up', ...parts });
      } catch (error) {
        context.logger.error({ err: loggableError(error) }, 'health check: database down');
        res.status(503).json({ status: 'degraded', mode: context.modeName, database: 'down', ...parts });
      }
    },
  ]);
  return router;
}
