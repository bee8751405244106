import type { IRouter, RequestHandler } from 'express';
import { z } from 'zod';
import type { AppContext } from '../app-context.js';
import { userIdOf } from '../auth/api-key-auth.js';
import { validate } from '../contract/validate.js';
import { callEndedBodySchema } from '../contract/write-bodies.js';
import { apiRoute } from '../http/api-route.js';
import { applyCallEnded } from './call-ended-webhook.js';

const idempotencyKeySchema = z
  // Only a missing header gets this message; the checks below keep their own.
  .string({
    error: (issue) => (issue.input === undefined ? 'the Idempotency-Key header is required' : undefined),
  })
  .min(1)
  .max(255, 'must be at most 255 characters')
  .regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces');

/**
 * `POST /api/webhooks/call-ended`, after `guard` (see `createApp`, which
 * parses the JSON body there): a finished call, applied once per
 * `Idempotency-Key`. The first delivery answers 201; a retry answers the same
 * status and body with `Idempotent-Replayed: true`.
 *
 * @example
 * webhooksRoutes(app, context, [apiKeyAuth(userIdForKey), express.json()]);
 */
export function webhooksRoutes(app: IRouter, context: AppContext, guard: readonly RequestHandler[]): void {
  apiRoute(app, 'POST', '/api/webhooks/call-ended', [
    ...guard,
    async (req, res) => {
      const key = validate(idempotencyKeySchema, req.get('idempotency-key'), 'header Idempotency-Key');
      const body = validate(callEndedBodySchema, req.body, 'body');
      const userId = userIdOf(res);
      const outcome = await applyCallEnded(context.db, userId, key, body, context.now());
      // A replay invalidates again: harmless, and it repairs a first delivery that committed but never invalidated.
      await context.mode.onWrite({ userId, agentIds: [body.agentId] });
      if (outcome.replayed) res.set('Idempotent-Replayed', 'true');
      res.status(outcome.status).json(outcome.body);
    },
  ]);
}
