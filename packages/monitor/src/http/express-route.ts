import type { IncomingMessage } from 'node:http';
import type { RouteLookup } from './route-lookup.js';
import { type RouteSeries, type SeriesTable, UNMATCHED_ROUTE } from './route-series.js';

interface ExpressRoute {
  path: unknown;
}

interface ExpressRequest extends IncomingMessage {
  route?: ExpressRoute;
  baseUrl?: string;
}

// Templates are memoised per route object and mount point, so a request
// costs two map lookups rather than a string concatenation. A router mounted
// on a parameterised path has one base URL per value, hence the cap.
const MAX_MEMOISED_BASES = 64;
const templates = new WeakMap<ExpressRoute, Map<string, string>>();

function pathText(path: unknown): string {
  return Array.isArray(path) ? path.map(pathText).join('|') : String(path);
}

/**
 * The Express route template of a finished request (`/api/agents/:id`,
 * including the router's mount path), or `_unmatched` when no route matched.
 */
export function expressRouteTemplate(req: IncomingMessage): string {
  const { route, baseUrl = '' } = req as ExpressRequest;
  if (route === undefined) return UNMATCHED_ROUTE;
  let byBase = templates.get(route);
  if (byBase === undefined) {
    byBase = new Map();
    templates.set(route, byBase);
  }
  let template = byBase.get(baseUrl);
  if (template === undefined) {
    template = baseUrl + pathText(route.path);
    if (byBase.size < MAX_MEMOISED_BASES) byBase.set(baseUrl, template);
  }
  return template;
}

/** The series a route object last resolved to, and for which mount point and method. */
interface LastSeries {
  baseUrl: string;
  method: string | undefined;
  series: RouteSeries;
}

/**
 * Route lookup for Express. Each route object remembers the series of its
 * last mount point and method: a route almost always sees the same ones, so
 * a request usually costs one WeakMap lookup instead of four map lookups.
 * Series are never dropped from the table, so a remembered one stays valid.
 */
export function expressLookup(table: SeriesTable): RouteLookup {
  const last = new WeakMap<ExpressRoute, LastSeries>();
  return {
    template: expressRouteTemplate,
    series(req, now) {
      const { route, baseUrl = '', method } = req as ExpressRequest;
      if (route === undefined) return table.resolve(UNMATCHED_ROUTE, method, now);
      const seen = last.get(route);
      if (seen !== undefined && seen.baseUrl === baseUrl && seen.method === method) return seen.series;
      const series = table.resolve(expressRouteTemplate(req), method, now);
      last.set(route, { baseUrl, method, series });
      return series;
    },
  };
}
