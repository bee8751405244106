import type { IRouter, RequestHandler } from 'express';
import type { AppContext } from '../app-context.js';
import { userIdOf } from '../auth/api-key-auth.js';
import { idParamSchema } from '../contract/query-params.js';
import { validate } from '../contract/validate.js';
import { leadCreateBodySchema, leadUpdateBodySchema } from '../contract/write-bodies.js';
import { apiRoute } from '../http/api-route.js';
import { createLead, updateLead } from './lead-writes.js';

/**
 * `POST /api/leads` (201) and `PATCH /api/leads/:id` (200), scoped to the
 * user, each after `guard` (see `createApp`, which parses the JSON body
 * there); each answers once the mode has invalidated what the write changed.
 *
 * @example
 * leadsRoutes(app, context, [apiKeyAuth(userIdForKey), express.json()]);
 */
export function leadsRoutes(app: IRouter, context: AppContext, guard: readonly RequestHandler[]): void {
  apiRoute(app, 'POST', '/api/leads', [
    ...guard,
    async (req, res) => {
      const body = validate(leadCreateBodySchema, req.body, 'body');
      const userId = userIdOf(res);
      const lead = await createLead(context.db, userId, body, context.now());
      await context.mode.onWrite({ userId, agentIds: [lead.agentId] });
      res.status(201).json(lead);
    },
  ]);
  apiRoute(app, 'PATCH', '/api/leads/:id', [
    ...guard,
    async (req, res) => {
      const { id } = validate(idParamSchema, req.params, 'path');
      const body = validate(leadUpdateBodySchema, req.body, 'body');
      const userId = userIdOf(res);
      const lead = await updateLead(context.db, userId, id, body, context.now());
      await context.mode.onWrite({ userId, agentIds: [lead.agentId] });
      res.json(lead);
    },
  ]);
}
