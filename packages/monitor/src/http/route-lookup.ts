import type { IncomingMessage } from 'node:http';
import type { RouteSeries, SeriesTable } from './route-series.js';

/** How a recorder names a finished request's route and finds the series it is recorded in. */
export interface RouteLookup {
  /** The route template, for the access log. */
  template(req: IncomingMessage): string;
  /** The series of the request's route and method. */
  series(req: IncomingMessage, now: number): RouteSeries;
}

/** A lookup by template: the table finds the series by template, then method. */
export function templateLookup(table: SeriesTable, template: (req: IncomingMessage) => string): RouteLookup {
  return {
    template,
    series: (req, now) => table.resolve(template(req), req.method, now),
  };
}
