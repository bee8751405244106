import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import { currentTimings, RequestTimings } from '../timing/request-timings.js';
import { hookWriteHead } from '../timing/server-timing-hook.js';
import { normalizeMethod } from './http-method.js';
import type { RouteLookup } from './route-lookup.js';
import type { SeriesTable } from './route-series.js';

/** What the recorder needs from the monitor. */
export interface RequestRecorderSettings {
  table: SeriesTable;
  clock: Clock;
  serverTiming: boolean;
  accessLog: Logger | undefined;
  requestIdHeader: string;
}

// nginx's code for a client that went away before the response completed.
const CLIENT_CLOSED_REQUEST = 499;

/**
 * Times requests from arrival to the response's `close` and records them in
 * the route series. The per-request work is one listener whose closure holds
 * the start time: writing the time onto the response instead would give every
 * response a new hidden class, which costs more than the closure (the
 * benchmark's `shared listener + property` variant). The route is resolved at
 * the end, once the router has matched it.
 */
export class RequestRecorder {
  constructor(
    private readonly settings: RequestRecorderSettings,
    private readonly routes: RouteLookup,
  ) {}

  /**
   * Starts timing `res` and calls `next`, inside the request's timing context
   * when `Server-Timing` is on.
   */
  start<T>(res: ServerResponse, next: () => T): T {
    const { clock, serverTiming } = this.settings;
    const start = clock();
    res.on('close', () => this.finish(res, start));
    if (!serverTiming) return next();
    hookWriteHead(res);
    return currentTimings.run(new RequestTimings(res, start, clock), next);
  }

  private finish(res: ServerResponse, start: number): void {
    const { table, clock, accessLog, requestIdHeader } = this.settings;
    const now = clock();
    const req = res.req;
    const micros = (now - start) * 1000;
    const status = res.writableFinished ? res.statusCode : CLIENT_CLOSED_REQUEST;
    table.record(this.routes.series(req, now), micros, status, now);
    if (accessLog !== undefined) {
      const route = this.routes.template(req);
      const requestId = req.headers[requestIdHeader];
      accessLog.info(
        {
          requestId: typeof requestId === 'string' ? requestId : randomUUID(),
          method: normalizeMethod(req.method),
          route,
          status,
          durationMs: Math.round(micros) / 1000,
          cache: res.getHeader('x-cache'),
        },
        'request',
      );
    }
  }
}
