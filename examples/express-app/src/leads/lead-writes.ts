import type { Database } from '@perfkit/queries';
import type { Kysely } from 'kysely';
import { assertOwnAgent } from '../agents/own-agent.js';
import type { LeadBody, LeadCreateBody, LeadUpdateBody } from '../contract/write-bodies.js';
import { HttpError } from '../errors.js';
import { toLeadBody } from './lead-view.js';

/**
 * Creates a lead for one of the user's agents (and, optionally, one of that
 * agent's calls), created at `now`. Someone else's agent or call is a 404.
 *
 * @example
 * const lead = await createLead(db, userId, { agentId: 3, name: 'Ada', phone: '+15550100' }, new Date());
 */
export async function createLead(
  db: Kysely<Database>,
  userId: number,
  body: LeadCreateBody,
  now: Date,
): Promise<LeadBody> {
  await assertOwnAgent(db, userId, body.agentId);
  if (body.callId !== undefined) {
    const call = await db
      .selectFrom('calls')
      .select('id')
      .where('id', '=', body.callId)
      .where('agent_id', '=', body.agentId)
      .executeTakeFirst();
    if (!call) throw new HttpError(404, 'call_not_found', `Agent ${body.agentId} has no call ${body.callId}`);
  }
  const row = await db
    .insertInto('leads')
    .values({
      user_id: userId,
      agent_id: body.agentId,
      call_id: body.callId ?? null,
      name: body.name,
      phone: body.phone,
      score: body.score ?? null,
      status: body.status ?? 'new',
      created_at: now,
      updated_at: now,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toLeadBody(row);
}

/**
 * Updates the given fields of one of the user's leads; someone else's lead is
 * a 404 like a missing one.
 *
 * @example
 * await updateLead(db, userId, 17, { status: 'converted' }, new Date());
 */
export async function updateLead(
  db: Kysely<Database>,
  userId: number,
  leadId: number,
  body: LeadUpdateBody,
  now: Date,
): Promise<LeadBody> {
  const row = await db
    .updateTable('leads')
    .set({ ...body, updated_at: now })
    .where('id', '=', leadId)
    .where('user_id', '=', userId)
    .returningAll()
    .executeTakeFirst();
  if (!row) throw new HttpError(404, 'lead_not_found', `No lead with id ${leadId}`);
  return toLeadBody(row);
}
