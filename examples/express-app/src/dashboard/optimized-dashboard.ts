import { loadAnalytics, loadOverview, utcDay } from '@perfkit/queries';
import { cachedReply, dataKeys, dataTags } from '../cache/cached-reads.js';
import { renderBody } from '../http/reply.js';
import type { DataSource } from '../modes/app-mode.js';
import { type OptimizedReadDeps, timedRead } from '../modes/optimized-reads.js';
import { analyticsBody, overviewBody } from './dashboard-bodies.js';

/**
 * Overview and analytics: the batched loaders on exact pre-aggregates, their
 * rendered replies cached per user, parameters and the window's UTC day.
 *
 * @example
 * const { overview, analytics } = optimizedDashboard(deps);
 */
export function optimizedDashboard(deps: OptimizedReadDeps): Pick<DataSource, 'overview' | 'analytics'> {
  const { cached, policies, reads } = deps;
  return {
    async overview({ userId, now, timer }, params) {
      const day = utcDay(now);
      const rendered = await cached.get(
        dataKeys.overview(userId, params.range, day),
        async () =>
          renderBody(
            userId,
            overviewBody(
              params,
              await timedRead(reads, timer, (db) => loadOverview(db, { userId, range: params.range, now })),
            ),
          ),
        { api: 'overview', tags: [dataTags.user(userId)], timer },
      );
      return cachedReply(rendered, policies.overview);
    },
    async analytics({ userId, now, timer }, params) {
      const day = utcDay(now);
      const rendered = await cached.get(
        dataKeys.analytics(userId, params.range, params.bucket, day),
        async () =>
          renderBody(
            userId,
            analyticsBody(
              params,
              await timedRead(reads, timer, (db) =>
                loadAnalytics(db, { userId, range: params.range, bucket: params.bucket, now }),
              ),
            ),
          ),
        { api: 'analytics', tags: [dataTags.user(userId)], timer },
      );
      return cachedReply(rendered, policies.analytics);
    },
  };
}
