import { decodeAgentsCursor, InvalidCursorError } from '@perfkit/queries';
import type { IRouter, RequestHandler } from 'express';
import type { AppContext } from '../app-context.js';
import { agentsQuerySchema, idParamSchema } from '../contract/query-params.js';
import { queryValidator, validate } from '../contract/validate.js';
import { HttpError } from '../errors.js';
import { apiRoute } from '../http/api-route.js';
import { readHandler } from '../http/read-handler.js';

/** The sort key in a cursor this API issued; anything else is a 400 `invalid_cursor`. */
function decodeCursor(cursor: string) {
  try {
    return decodeAgentsCursor(cursor);
  } catch (error) {
    if (error instanceof InvalidCursorError) {
      throw new HttpError(400, 'invalid_cursor', 'cursor is not a cursor returned by this API');
    }
    throw error;
  }
}

/**
 * `GET /api/agents` (paged, newest first) and `GET /api/agents/:id`, each
 * after `guard` (see `createApp`); another user's agent is a 404 exactly
 * like a missing one.
 *
 * @example
 * agentsRoutes(app, context, [apiKeyAuth(userIdForKey)]);
 */
export function agentsRoutes(app: IRouter, context: AppContext, guard: readonly RequestHandler[]): void {
  const { source } = context.mode;
  const agentsQuery = queryValidator(agentsQuerySchema);
  apiRoute(app, 'GET', '/api/agents', [
    ...guard,
    readHandler(context, (req, scope) => {
      const query = agentsQuery(req);
      const params =
        query.cursor === undefined
          ? { limit: query.limit }
          : { limit: query.limit, after: decodeCursor(query.cursor) };
      return source.agentsList(scope, params);
    }),
  ]);
  apiRoute(app, 'GET', '/api/agents/:id', [
    ...guard,
    readHandler(context, async (req, scope) => {
      const { id } = validate(idParamSchema, req.params, 'path');
      const reply = await source.agent(scope, { agentId: id });
      if (!reply) throw new HttpError(404, 'agent_not_found', `No agent with id ${id}`);
      return reply;
    }),
  ]);
}
