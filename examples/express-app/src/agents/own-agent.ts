import type { Database } from '@perfkit/queries';
import type { Kysely } from 'kysely';
import { HttpError } from '../errors.js';

/**
 * Throws a 404 `agent_not_found` unless `agentId` is one of the user's
 * agents; someone else's agent looks exactly like a missing one.
 *
 * @example
 * await assertOwnAgent(trx, userId, body.agentId);
 */
export async function assertOwnAgent(db: Kysely<Database>, userId: number, agentId: number): Promise<void> {
  const agent = await db
    .selectFrom('agents')
    .select('id')
    .where('id', '=', agentId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  if (!agent) throw new HttpError(404, 'agent_not_found', `No agent with id ${agentId}`);
}
