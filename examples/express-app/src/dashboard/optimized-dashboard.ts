import { dayWindow, loadAnalytics, loadOverview } from '@perfkit/queries';
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
  const { cached, policies } = deps;
  return {
    async overview(userId, params, now) {
      const day = dayWindow(params.range, now).toDay;
      const rendered = await cached.get(
        dataKeys.overview(userId, params.range, day),
        async () =>
          renderBody(
            userId,
            overviewBody(
              params,
              await timedRead(deps, (db) => loadOverview(db, { userId, range: params.range, now })),
            ),
          ),
        { api: 'overview', tags: [dataTags.user(userId)] },
      );
      return cachedReply(rendered, policies.overview);
    },
    async analytics(userId, params, now) {
      const day = dayWindow(params.range, now).toDay;
      const rendered = await cached.get(
        dataKeys.analytics(userId, params.range, params.bucket, day),
        async () =>
          renderBody(
            userId,
            analyticsBody(
              params,
              await timedRead(deps, (db) =>
                loadAnalytics(db, { userId, range: params.range, bucket: params.bucket, now }),
              ),
            ),
          ),
        { api: 'analytics', tags: [dataTags.user(userId)] },
      );
      return cachedReply(rendered, policies.analytics);
    },
  };
}
