import { z } from 'zod';

/** `range`: the last N UTC days, today included. Default `30d`. */
export const rangeSchema = z.enum(['7d', '30d', '90d']).default('30d');
/** `bucket`: one point per UTC day, or per ISO week (Monday first). Default `day`. */
export const bucketSchema = z.enum(['day', 'week']).default('day');

export type Range = z.output<typeof rangeSchema>;
export type Bucket = z.output<typeof bucketSchema>;

/**
 * Query of `GET /api/dashboard/overview`.
 *
 * @example
 * overviewQuerySchema.parse({ range: '7d' }); // { range: '7d' }
 */
export const overviewQuerySchema = z.object({ range: rangeSchema });
export type OverviewQuery = z.output<typeof overviewQuerySchema>;

/**
 * Query of `GET /api/dashboard/analytics`.
 *
 * @example
 * analyticsQuerySchema.parse({}); // { range: '30d', bucket: 'day' }
 */
export const analyticsQuerySchema = z.object({ range: rangeSchema, bucket: bucketSchema });
export type AnalyticsQuery = z.output<typeof analyticsQuerySchema>;

/**
 * Query of `GET /api/agents`: `limit` 1..100 (default 20) and the opaque
 * `cursor` of the previous page's `nextCursor`. The cursor is checked for
 * shape here and decoded by `decodeAgentCursor`.
 *
 * @example
 * agentsQuerySchema.parse({ limit: '50' }); // { limit: 50 }
 */
export const agentsQuerySchema = z.object({
  limit: z
    .string()
    .regex(/^\d{1,3}$/, 'limit must be an integer from 1 to 100')
    .transform(Number)
    .pipe(z.number().int().min(1).max(100))
    .default(20),
  cursor: z.string().min(1).max(512).optional(),
});
export type AgentsQuery = z.output<typeof agentsQuerySchema>;

/**
 * A numeric id in a path (`/api/agents/:id`, `/api/leads/:id`).
 *
 * @example
 * idParamSchema.parse({ id: '42' }); // { id: 42 }
 */
export const idParamSchema = z.object({
  id: z
    .string()
    .regex(/^[1-9]\d{0,14}$/, 'id must be a positive integer')
    .transform(Number),
});
