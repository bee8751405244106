import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { NowClock } from '@perfkit/primitives';
import type { Logger } from 'pino';
import { RequestTimings } from '../timing/request-timings.js';
import type { ServerTimingWriter } from '../timing/server-timing-writer.js';
import type { ArrivingResponses } from './arriving-responses.js';
import { normalizeMethod } from './http-method.js';
import type { ResponseEnds } from './response-ends.js';
import type { ResponseObserver, ResponseWatch } from './response-watch.js';
import type { RouteLookup } from './route-lookup.js';
import type { SeriesTable } from './route-series.js';

/** What the recorder needs from the monitor. */
export interface RequestRecorderSettings {
  table: SeriesTable;
  clock: NowClock;
  /** The monitor's `Server-Timing` writer; `undefined` when it is off. */
  serverTiming: ServerTimingWriter | undefined;
  accessLog: Logger | undefined;
  requestIdHeader: string;
  /** Prepares each response (its end listened to, its `Server-Timing`) before the handler runs. */
  arriving: ArrivingResponses;
  ends: ResponseEnds;
  responses: ResponseObserver;
}

// nginx's code for a client that went away before the response completed.
const CLIENT_CLOSED_REQUEST = 499;

/** A request from its start until its response ends, when its recorder records it. */
class PendingRequest implements ResponseWatch {
  constructor(
    private readonly recorder: RequestRecorder,
    readonly req: IncomingMessage,
    readonly res: ServerResponse,
    readonly start: number,
  ) {}

  ended(finished: boolean): void {
    this.recorder.finish(this, finished);
  }
}

/**
 * Times requests from arrival until the app ends the response and records them
 * in the route series. The route is resolved at the end, once the router
 * has matched it. Every property read on an Express request or response
 * costs an inline-cache miss (see `response-watch.ts`), so the recorder
 * reads only the socket, then at the end the status code, route, mount path
 * and method, plus the request id and cache status for the access log.
 */
export class RequestRecorder {
  constructor(
    private readonly settings: RequestRecorderSettings,
    private readonly routes: RouteLookup,
  ) {}

  /**
   * Starts timing the request, with its `Server-Timing` sections when that
   * is on, and calls `next`; once the monitor is closed, only calls `next`.
   */
  start<T>(req: IncomingMessage, res: ServerResponse, next: () => T): T {
    const { clock, serverTiming, arriving, responses } = this.settings;
    const start = clock.now();
    if (arriving.reached(req, res) && responses.watch(req, new PendingRequest(this, req, res, start))) {
      serverTiming?.attach(res, new RequestTimings(start, clock));
    }
    return next();
  }

  /** Records a request whose response has ended. */
  finish({ req, res, start }: PendingRequest, finished: boolean): void {
    const { table, clock, accessLog, requestIdHeader, serverTiming, ends } = this.settings;
    serverTiming?.forget(res);
    // Ended, not finished: see ResponseEnds. A response cut short may never have been ended.
    const now = ends.take(res) ?? clock.now();
    const micros = (now - start) * 1000;
    const status = finished ? res.statusCode : CLIENT_CLOSED_REQUEST;
    table.record(this.routes.series(req, now), micros, status, now);
    // Checked per request, as a logger's level can change at run time; below
    // `info` the line would be built only to be dropped.
    if (accessLog?.isLevelEnabled('info')) {
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
