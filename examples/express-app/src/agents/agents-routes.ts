import { Router } from 'express';
import type { AppContext } from '../app-context.js';
import { userIdOf } from '../auth/api-key-auth.js';
import { decodeAgentCursor } from '../contract/agent-cursor.js';
import { agentsQuerySchema, idParamSchema } from '../contract/query-params.js';
import { validate } from '../contract/validate.js';
import { HttpError } from '../errors.js';

/**
 * `GET /agents` (paged, newest first) and `GET /agents/:id`; another user's
 * agent is a 404 exactly like a missing one.
 *
 * @example
 * app.use('/api', apiKeyAuth(db), agentsRoutes(context));
 */
export function agentsRoutes(context: AppContext): Router {
  const router = Router();
  router.get('/agents', async (req, res) => {
    const query = validate(agentsQuerySchema, req.query, 'query');
    const after = query.cursor === undefined ? undefined : decodeAgentCursor(query.cursor);
    const params = after ? { limit: query.limit, after } : { limit: query.limit };
    res.json(await context.source.agentsList(context.deps, userIdOf(res), params, context.now()));
  });
  router.get('/agents/:id', async (req, res) => {
    const { id } = validate(idParamSchema, req.params, 'path');
    const body = await context.source.agent(context.deps, userIdOf(res), { agentId: id }, context.now());
    if (!body) throw new HttpError(404, 'agent_not_found', `No agent with id ${id}`);
    res.json(body);
  });
  return router;
}
