import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import { currentTimings, RequestTimings } from '../timing/request-timings.js';
import { normalizeMethod } from './http-method.js';
import type { SeriesTable } from './route-series.js';

/** Resolves the route template of a finished request. */
export type RouteResolver = (req: IncomingMessage) => string;

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

const START = Symbol('perfkit.monitor.start');
const TIMINGS = Symbol('perfkit.monitor.timings');
const WRITE_HEAD = Symbol('perfkit.monitor.writeHead');

type WriteHead = ServerResponse['writeHead'];
type TimedResponse = ServerResponse & { [START]: number; [TIMINGS]: RequestTimings; [WRITE_HEAD]: WriteHead };

/**
 * Times requests from arrival to the response's `close` and records them in
 * the route series. The per-request work is one property write and one
 * listener (bound once per recorder, so no closure per request); the route is
 * resolved at the end, once the router has matched it.
 */
export class RequestRecorder {
  private readonly onClose: (this: TimedResponse) => void;
  private readonly writeHeadWithTiming: WriteHead;

  constructor(
    private readonly settings: RequestRecorderSettings,
    routeOf: RouteResolver,
  ) {
    const { table, clock, accessLog, requestIdHeader } = settings;
    this.onClose = function (this: TimedResponse) {
      const now = clock();
      const req = this.req;
      const micros = (now - this[START]) * 1000;
      const status = this.writableFinished ? this.statusCode : CLIENT_CLOSED_REQUEST;
      const route = routeOf(req);
      const method = normalizeMethod(req.method);
      table.resolve(route, method, now).record(micros, status, now);
      if (accessLog !== undefined) {
        const requestId = req.headers[requestIdHeader];
        accessLog.info(
          {
            requestId: typeof requestId === 'string' ? requestId : randomUUID(),
            method,
            route,
            status,
            durationMs: Math.round(micros) / 1000,
            cache: this.getHeader('x-cache'),
          },
          'request',
        );
      }
    };
    // writeHead is where headers are committed, whether the handler calls it
    // or res.write()/res.end() does implicitly. One shared function reads the
    // request's state from the response, so wrapping costs no closure.
    this.writeHeadWithTiming = function (this: TimedResponse, ...args: Parameters<WriteHead>) {
      if (!this.headersSent) this.setHeader('Server-Timing', this[TIMINGS].header(clock() - this[START]));
      return this[WRITE_HEAD].apply(this, args);
    } as WriteHead;
  }

  /**
   * Starts timing `res` and calls `next`, inside the request's timing context
   * when `Server-Timing` is on.
   */
  start<T>(res: ServerResponse, next: () => T): T {
    const timed = res as TimedResponse;
    timed[START] = this.settings.clock();
    res.on('close', this.onClose);
    if (!this.settings.serverTiming) return next();
    const timings = new RequestTimings();
    timed[TIMINGS] = timings;
    timed[WRITE_HEAD] = res.writeHead;
    res.writeHead = this.writeHeadWithTiming;
    return currentTimings.run(timings, next);
  }
}
