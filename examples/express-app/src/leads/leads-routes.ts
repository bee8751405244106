import { Router } from 'express';
import type { AppContext } from '../app-context.js';
import { userIdOf } from '../auth/api-key-auth.js';
import { idParamSchema } from '../contract/query-params.js';
import { validate } from '../contract/validate.js';
import { leadCreateBodySchema, leadUpdateBodySchema } from '../contract/write-bodies.js';
import { createLead, updateLead } from './lead-writes.js';

/**
 * `POST /leads` (201) and `PATCH /leads/:id` (200), scoped to the user.
 *
 * @example
 * app.use('/api', apiKeyAuth(db), leadsRoutes(context));
 */
export function leadsRoutes(context: AppContext): Router {
  const router = Router();
  router.post('/leads', async (req, res) => {
    const body = validate(leadCreateBodySchema, req.body, 'body');
    res.status(201).json(await createLead(context.deps.db, userIdOf(res), body, context.now()));
  });
  router.patch('/leads/:id', async (req, res) => {
    const { id } = validate(idParamSchema, req.params, 'path');
    const body = validate(leadUpdateBodySchema, req.body, 'body');
    res.json(await updateLead(context.deps.db, userIdOf(res), id, body, context.now()));
  });
  return router;
}
