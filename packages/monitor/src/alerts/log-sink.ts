import { type Logger, pino } from 'pino';
import type { AlertSink } from './alert-sink.js';

/**
 * An alert sink that writes each event as a pino line: `warn` when firing,
 * `info` when resolved.
 *
 * @example
 * ```ts
 * createMonitor({ alerts: { rules, sinks: [createLogSink(logger)] } });
 * ```
 */
export function createLogSink(logger: Logger = pino()): AlertSink {
  return {
    name: 'log',
    async send(event) {
      const message = `alert ${event.state}: ${event.rule} on ${event.method} ${event.route}`;
      if (event.state === 'firing') logger.warn({ alert: event }, message);
      else logger.info({ alert: event }, message);
    },
  };
}
