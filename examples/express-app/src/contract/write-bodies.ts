import { z } from 'zod';

const name = z.string().trim().min(1).max(200);
const phone = z.string().trim().min(3).max(32);
const score = z.number().int().min(0).max(100).nullable();
const leadStatus = z.enum(['new', 'qualified', 'converted', 'lost']);

/**
 * Body of `POST /api/webhooks/call-ended` (with an `Idempotency-Key`
 * header): a finished call of one of the user's agents, optionally with the
 * lead it produced. `endedAt` defaults to now; the call starts
 * `durationSeconds` before it ends.
 *
 * @example
 * { agentId: 3, status: 'completed', durationSeconds: 95, costCents: 12, lead: { name: 'Ada', phone: '+15550100' } }
 */
export const callEndedBodySchema = z.strictObject({
  agentId: z.number().int().positive(),
  status: z.enum(['completed', 'failed', 'no_answer', 'busy']),
  durationSeconds: z.number().int().min(0).max(86_400),
  costCents: z.number().int().min(0).max(10_000_000),
  endedAt: z.iso.datetime().optional(),
  lead: z.strictObject({ name, phone, score: score.optional(), status: leadStatus.optional() }).optional(),
});
export type CallEndedBody = z.infer<typeof callEndedBodySchema>;

/**
 * Body of `POST /api/leads`.
 *
 * @example
 * { agentId: 3, name: 'Ada', phone: '+15550100', score: 85 }
 */
export const leadCreateBodySchema = z.strictObject({
  agentId: z.number().int().positive(),
  callId: z.number().int().positive().optional(),
  name,
  phone,
  score: score.optional(),
  status: leadStatus.optional(),
});
export type LeadCreateBody = z.infer<typeof leadCreateBodySchema>;

/**
 * Body of `PATCH /api/leads/:id`: at least one field.
 *
 * @example
 * { status: 'converted' }
 */
export const leadUpdateBodySchema = z
  .strictObject({
    name: name.optional(),
    phone: phone.optional(),
    score: score.optional(),
    status: leadStatus.optional(),
  })
  .refine((body) => Object.keys(body).length > 0, 'give at least one of name, phone, score, status');
export type LeadUpdateBody = z.infer<typeof leadUpdateBodySchema>;

/** A lead as the write endpoints return it. */
export const leadBodySchema = z.strictObject({
  id: z.number().int().positive(),
  agentId: z.number().int().positive(),
  callId: z.number().int().positive().nullable(),
  name: z.string(),
  phone: z.string(),
  score: z.number().int().min(0).max(100).nullable(),
  status: leadStatus,
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});
export type LeadBody = z.infer<typeof leadBodySchema>;

/** The response of the call-ended webhook; a retried delivery gets it again, byte for byte. */
export const callEndedResponseSchema = z.strictObject({
  call: z.strictObject({
    id: z.number().int().positive(),
    agentId: z.number().int().positive(),
    status: z.enum(['completed', 'failed', 'no_answer', 'busy']),
    durationSeconds: z.number().int().nonnegative(),
    costCents: z.number().int().nonnegative(),
    createdAt: z.iso.datetime(),
    endedAt: z.iso.datetime(),
  }),
  lead: leadBodySchema.nullable(),
});
export type CallEndedResponse = z.infer<typeof callEndedResponseSchema>;
