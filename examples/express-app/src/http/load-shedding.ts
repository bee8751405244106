import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { RequestHandler } from 'express';
import { HttpError } from '../errors.js';

/** Options of {@link createLoadShedder}. */
export interface LoadShedderOptions {
  /** Above this event-loop delay, requests are refused with 503; 0 disables shedding. */
  maxEventLoopDelayMs: number;
  /** How often the delay is read (and its window restarted). Default: 100 ms. */
  sampleIntervalMs?: number;
  /** `Retry-After` of a refused request, in seconds. Default: 1. */
  retryAfterSeconds?: number;
}

/** A running shedder: its middleware, its state, and its timer to stop. */
export interface LoadShedder {
  middleware: RequestHandler;
  /** Whether requests are being refused right now. */
  readonly shedding: boolean;
  /** The longest event-loop delay of the last window, ms. */
  readonly eventLoopDelayMs: number;
  close(): void;
}

/** Resolution of Node's event-loop delay sampler, ms; a smaller one costs CPU for nothing here. */
const RESOLUTION_MS = 10;

/**
 * Refuses work early when the process is too busy to answer in time (R8.4;
 * the idea of fastify's under-pressure): every `sampleIntervalMs` it reads
 * the longest event-loop delay of the window just ended, and while that is
 * above `maxEventLoopDelayMs` the middleware answers 503 with `Retry-After`
 * and a JSON error at once, instead of queueing requests that would all time
 * out. Mount it after the health check, which must keep answering.
 *
 * @example
 * const shedder = createLoadShedder({ maxEventLoopDelayMs: 500 });
 * app.use('/api', shedder.middleware);
 */
export function createLoadShedder(options: LoadShedderOptions): LoadShedder {
  const { maxEventLoopDelayMs, sampleIntervalMs = 100, retryAfterSeconds = 1 } = options;
  if (maxEventLoopDelayMs <= 0) {
    return { middleware: (_req, _res, next) => next(), shedding: false, eventLoopDelayMs: 0, close() {} };
  }
  const histogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  histogram.enable();
  let delayMs = 0;
  const timer = setInterval(() => {
    // The sampler's own period is part of what it measures.
    delayMs = Math.max(0, histogram.max / 1e6 - RESOLUTION_MS);
    histogram.reset();
  }, sampleIntervalMs);
  timer.unref();
  return {
    middleware(_req, res, next) {
      if (delayMs <= maxEventLoopDelayMs) return next();
      res.set('Retry-After', String(retryAfterSeconds));
      next(new HttpError(503, 'overloaded', 'The server is overloaded; retry shortly'));
    },
    get shedding() {
      return delayMs > maxEventLoopDelayMs;
    },
    get eventLoopDelayMs() {
      return delayMs;
    },
    close() {
      clearInterval(timer);
      histogram.disable();
    },
  };
}
