import type { LeadStatus } from '@perfkit/queries';
import type { ActivityItem } from '../contract/response-bodies.js';

/** Lead quality bands by score: hot >= 80, warm 50..79, cold < 50, unscored when null. */
export type LeadQuality = 'hot' | 'warm' | 'cold' | 'unscored';

/**
 * The quality band of a lead score.
 *
 * @example
 * leadQuality(80); // 'hot'
 * leadQuality(null); // 'unscored'
 */
export function leadQuality(score: number | null): LeadQuality {
  if (score === null) return 'unscored';
  if (score >= 80) return 'hot';
  if (score >= 50) return 'warm';
  return 'cold';
}

/**
 * Qualified means `qualified` or `converted`.
 *
 * @example
 * isQualified('converted'); // true
 */
export function isQualified(status: LeadStatus): boolean {
  return status === 'qualified' || status === 'converted';
}

/**
 * The order of `recentActivity`: newest first, a call before a lead at the
 * same instant, then the higher id first.
 *
 * @example
 * items.sort(compareActivity).slice(0, 5);
 */
export function compareActivity(a: ActivityItem, b: ActivityItem): number {
  if (a.createdAt !== b.createdAt) return a.createdAt < b.createdAt ? 1 : -1;
  if (a.type !== b.type) return a.type === 'call' ? -1 : 1;
  return b.id - a.id;
}
