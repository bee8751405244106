import { z } from 'zod';

/** Unpaired surrogates: JSON can carry them, UTF-8 (and so PostgreSQL) cannot. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
/** C0 and C1 control characters, NUL included, which PostgreSQL text refuses or a UI cannot show. */
const CONTROL = /\p{Cc}/u;

/** Text a person typed: trimmed, `min..max` characters counted in code points, printable, well-formed. */
const text = (min: number, max: number) =>
  z
    .string()
    .trim()
    .refine((value) => !LONE_SURROGATE.test(value), 'must be well-formed Unicode')
    .refine((value) => !CONTROL.test(value), 'must not contain control characters')
    .refine((value) => {
      const length = [...value].length;
      return length >= min && length <= max;
    }, `must be ${min} to ${max} characters long`);

const name = text(1, 200);
const phone = text(3, 32);

/** The instants a call may have ended at: PostgreSQL stores any, but outside these only a bug or a forgery sends one. */
export const ENDED_AT_BOUNDS = { min: '2000-01-01T00:00:00.000Z', max: '2100-01-01T00:00:00.000Z' } as const;
const endedAt = z.iso.datetime().refine((value) => {
  const at = Date.parse(value);
  return at >= Date.parse(ENDED_AT_BOUNDS.min) && at < Date.parse(ENDED_AT_BOUNDS.max);
}, `must be between ${ENDED_AT_BOUNDS.min} and ${ENDED_AT_BOUNDS.max}`);
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
  endedAt: endedAt.optional(),
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
