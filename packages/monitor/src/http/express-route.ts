import type { IncomingMessage } from 'node:http';
import { UNMATCHED_ROUTE } from './route-series.js';

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
