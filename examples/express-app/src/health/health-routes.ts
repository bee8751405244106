import { Router } from 'express';
import { sql } from 'kysely';
import type { AppContext } from '../app-context.js';

/**
 * `GET /health` (no auth): 200 `{ status: 'ok', mode, database: 'up' }`, or
 * 503 with `database: 'down'` when PostgreSQL does not answer.
 *
 * @example
 * app.use(healthRoutes(context));
 */
export function healthRoutes(context: AppContext): Router {
  const router = Router();
  router.get('/health', async (_req, res) => {
    try {
      await sql`SELECT 1`.execute(context.deps.db);
      res.json({ status: 'ok', mode: context.mode, database: 'up' });
    } catch (error) {
      context.deps.logger.error({ err: error }, 'health check: database down');
      res.status(503).json({ status: 'degraded', mode: context.mode, database: 'down' });
    }
  });
  return router;
}
