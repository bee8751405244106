import { createHash } from 'node:crypto';
import type { Database } from '@perfkit/queries';
import type { Kysely, Transaction } from 'kysely';
import { assertOwnAgent } from '../agents/own-agent.js';
import {
  type CallEndedBody,
  type CallEndedResponse,
  callEndedResponseSchema,
} from '../contract/write-bodies.js';
import { HttpError } from '../errors.js';
import { toLeadBody } from '../leads/lead-view.js';

/** The outcome of a delivery: what to answer, and whether it replays an earlier one. */
export interface DeliveryOutcome {
  status: number;
  body: CallEndedResponse;
  replayed: boolean;
}

/** JSON with every object's keys sorted, so equal bodies hash equally whatever order the sender used. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** How far in the future (of the app's "now") a call may say it ended: clocks drift a little, never a day. */
const MAX_CLOCK_SKEW_MS = 24 * 3_600_000;

/**
 * Applies a call-ended delivery once per `(user, idempotencyKey)`: the first
 * delivery inserts the call (and its lead) and records the response in the
 * same transaction; a retry with the same body (in any key order) gets that
 * response again; the same key with another body is a 409
 * `idempotency_key_reused`.
 *
 * @example
 * const outcome = await applyCallEnded(db, userId, 'evt_123', body, new Date());
 */
export async function applyCallEnded(
  db: Kysely<Database>,
  userId: number,
  idempotencyKey: string,
  body: CallEndedBody,
  now: Date,
): Promise<DeliveryOutcome> {
  if (body.endedAt && Date.parse(body.endedAt) > now.getTime() + MAX_CLOCK_SKEW_MS) {
    throw new HttpError(400, 'invalid_request', 'body.endedAt: must not be in the future');
  }
  const requestHash = createHash('sha256').update(canonicalJson(body)).digest('hex');
  return db.transaction().execute(async (trx) => {
    // Claiming the key first makes a concurrent delivery of the same key wait on
    // this row until we commit, then see our recorded response.
    const claimed = await trx
      .insertInto('webhook_deliveries')
      .values({
        user_id: userId,
        idempotency_key: idempotencyKey,
        request_hash: requestHash,
        response_status: 0,
        response_body: '{}',
      })
      .onConflict((oc) => oc.columns(['user_id', 'idempotency_key']).doNothing())
      .returning('user_id')
      .executeTakeFirst();
    if (!claimed) return replay(trx, userId, idempotencyKey, requestHash);

    const response = await insertCall(trx, userId, body, now);
    await trx
      .updateTable('webhook_deliveries')
      .set({ response_status: 201, response_body: JSON.stringify(response) })
      .where('user_id', '=', userId)
      .where('idempotency_key', '=', idempotencyKey)
      .execute();
    return { status: 201, body: response, replayed: false };
  });
}

async function replay(
  trx: Transaction<Database>,
  userId: number,
  idempotencyKey: string,
  requestHash: string,
): Promise<DeliveryOutcome> {
  const prior = await trx
    .selectFrom('webhook_deliveries')
    .select(['request_hash', 'response_status', 'response_body'])
    .where('user_id', '=', userId)
    .where('idempotency_key', '=', idempotencyKey)
    .executeTakeFirstOrThrow();
  if (prior.request_hash !== requestHash) {
    throw new HttpError(
      409,
      'idempotency_key_reused',
      'This Idempotency-Key was already used with a different request body',
    );
  }
  // jsonb does not keep key order; parsing restores the schema's order, so a replay is byte-identical.
  return {
    status: prior.response_status,
    body: callEndedResponseSchema.parse(prior.response_body),
    replayed: true,
  };
}

async function insertCall(
  trx: Transaction<Database>,
  userId: number,
  body: CallEndedBody,
  now: Date,
): Promise<CallEndedResponse> {
  await assertOwnAgent(trx, userId, body.agentId);

  const endedAt = body.endedAt ? new Date(body.endedAt) : now;
  const createdAt = new Date(endedAt.getTime() - body.durationSeconds * 1000);
  const call = await trx
    .insertInto('calls')
    .values({
      user_id: userId,
      agent_id: body.agentId,
      status: body.status,
      duration_seconds: body.durationSeconds,
      cost_cents: body.costCents,
      created_at: createdAt,
      ended_at: endedAt,
      updated_at: now,
    })
    .returningAll()
    .executeTakeFirstOrThrow();

  const lead = body.lead
    ? await trx
        .insertInto('leads')
        .values({
          user_id: userId,
          agent_id: body.agentId,
          call_id: call.id,
          name: body.lead.name,
          phone: body.lead.phone,
          score: body.lead.score ?? null,
          status: body.lead.status ?? 'new',
          created_at: endedAt,
          updated_at: now,
        })
        .returningAll()
        .executeTakeFirstOrThrow()
    : undefined;

  return {
    call: {
      id: call.id,
      agentId: call.agent_id,
      status: body.status,
      durationSeconds: call.duration_seconds,
      costCents: call.cost_cents,
      createdAt: call.created_at.toISOString(),
      endedAt: endedAt.toISOString(),
    },
    lead: lead ? toLeadBody(lead) : null,
  };
}
