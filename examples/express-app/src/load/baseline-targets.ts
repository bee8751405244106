import type { SeedManifest } from '@perfkit/queries/admin';

/** The three APIs as a dashboard calls them by default: what the demo and the benchmarks load. */
export const API_PATHS = {
  overview: '/api/dashboard/overview?range=30d',
  analytics: '/api/dashboard/analytics?range=30d&bucket=day',
  agents: '/api/agents?limit=20',
} as const;

/** An API of {@link API_PATHS}. */
export type ApiName = keyof typeof API_PATHS;

/** One API for a set of tenants: their API keys, to use in turn. */
export interface TenantTarget {
  endpoint: ApiName;
  /** e.g. `heavy` or `spread (99)`. */
  tenants: string;
  path: string;
  keys: string[];
}

/**
 * Each API for the heavy tenant alone, then spread over every other tenant
 * that has agents.
 *
 * @example
 * const heavy = baselineTargets(manifest).filter((t) => t.tenants === 'heavy');
 */
export function baselineTargets(manifest: SeedManifest): TenantTarget[] {
  const spread = manifest.users.filter((user) => user.id !== manifest.heavyUser.id && user.agents > 0);
  return (Object.entries(API_PATHS) as [ApiName, string][]).flatMap(([endpoint, path]) => [
    { endpoint, tenants: 'heavy', path, keys: [manifest.heavyUser.apiKey] },
    { endpoint, tenants: `spread (${spread.length})`, path, keys: spread.map((user) => user.apiKey) },
  ]);
}
