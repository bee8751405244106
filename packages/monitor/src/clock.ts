/**
 * A monotonic clock in milliseconds; `performance.now` by default. Tests pass
 * a manual one so that durations and window rotation are deterministic.
 *
 * @example
 * ```ts
 * let now = 0;
 * const monitor = createMonitor({ clock: () => now });
 * ```
 */
export type Clock = () => number;
