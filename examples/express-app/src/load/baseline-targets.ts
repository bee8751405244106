import type { SeedManifest } from '@perfkit/queries';
import type { LoadTarget } from './baseline-load.js';

/** The endpoints a baseline loads, with the query a dashboard sends by default. */
export const BASELINE_PATHS = {
  overview: '/api/dashboard/overview?range=30d',
  analytics: '/api/dashboard/analytics?range=30d&bucket=day',
  agents: '/api/agents?limit=20',
} as const;

/**
 * Each endpoint for the heavy tenant alone, then spread over every other
 * tenant that has agents (keys used in turn).
 *
 * @example
 * for (const target of baselineTargets(manifest)) results.push(await runLoad(app.url, target));
 */
export function baselineTargets(manifest: SeedManifest): LoadTarget[] {
  const spread = manifest.users.filter((user) => user.id !== manifest.heavyUser.id && user.agents > 0);
  const targets: LoadTarget[] = [];
  for (const [endpoint, path] of Object.entries(BASELINE_PATHS)) {
    targets.push({ endpoint, tenants: 'heavy', path, keys: [manifest.heavyUser.apiKey] });
    targets.push({
      endpoint,
      tenants: `spread (${spread.length})`,
      path,
      keys: spread.map((user) => user.apiKey),
    });
  }
  return targets;
}
