import type { Lead } from '@perfkit/queries';
import type { LeadBody } from '../contract/write-bodies.js';

/**
 * A lead row as the write endpoints return it.
 *
 * @example
 * res.status(201).json(toLeadBody(row));
 */
export function toLeadBody(row: Lead): LeadBody {
  return {
    id: row.id,
    agentId: row.agent_id,
    callId: row.call_id,
    name: row.name,
    phone: row.phone,
    score: row.score,
    status: row.status,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}
