import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import { currentTimings, RequestTimings } from '../timing/request-timings.js';
import { normalizeMethod } from './http-method.js';
import { type ResponseWatch, watchResponse } from './response-watch.js';
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

/** A request from its start until its response closes, when its recorder records it. */
class PendingRequest implements ResponseWatch {
  status = 0;
  finished = false;

  constructor(
    private readonly recorder: RequestRecorder,
    readonly req: IncomingMessage,
    readonly start: number,
    private readonly timings: RequestTimings | undefined,
  ) {}

  committing(res: ServerResponse): void {
    const serverTiming = this.timings?.takeHeader();
    if (serverTiming !== undefined) res.setHeader('Server-Timing', serverTiming);
  }

  closed(res: ServerResponse): void {
    this.recorder.finish(this, res);
  }
}

/**
 * Times requests from arrival to the response's `close` and records them in
 * the route series. The route is resolved at the end, once the router has
 * matched it. Every property read on an Express request or response costs
 * an inline-cache miss (see `response-watch.ts`), so the recorder reads
 * only the route, mount path and method, plus the request id and cache
 * status for the access log; the status code comes from `writeHead`.
 */
export class RequestRecorder {
  constructor(
    private readonly settings: RequestRecorderSettings,
    private readonly routes: RouteLookup,
  ) {}

  /**
   * Starts timing the request and calls `next`, inside the request's timing
   * context when `Server-Timing` is on.
   */
  start<T>(req: IncomingMessage, res: ServerResponse, next: () => T): T {
    const { clock, serverTiming } = this.settings;
    const start = clock();
    const timings = serverTiming ? new RequestTimings(start, clock) : undefined;
    watchResponse(res, new PendingRequest(this, req, start, timings));
    return timings === undefined ? next() : currentTimings.run(timings, next);
  }

  /** Records a request whose response has closed. */
  finish({ req, start, status: committed, finished }: PendingRequest, res: ServerResponse): void {
    const { table, clock, accessLog, requestIdHeader } = this.settings;
    const now = clock();
    const micros = (now - start) * 1000;
    // Node's deprecated alias `writeHeader` commits without the wrapped `writeHead`.
    const status = finished ? committed || res.statusCode : CLIENT_CLOSED_REQUEST;
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
