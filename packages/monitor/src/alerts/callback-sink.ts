import type { AlertEvent, AlertSink } from './alert-sink.js';

/**
 * An alert sink that calls a function, for paging integrations or tests.
 *
 * @example
 * ```ts
 * const sink = createCallbackSink((event) => pager.notify(event));
 * ```
 */
export function createCallbackSink(
  callback: (event: AlertEvent) => void | Promise<void>,
  name = 'callback',
): AlertSink {
  return {
    name,
    async send(event) {
      await callback(event);
    },
  };
}
