import { MAX_TIMER_MS } from '@perfkit/primitives';
import { InvalidOptionError } from './errors.js';

/**
 * `value` if it is a number of ms a Node.js timer keeps (past {@link MAX_TIMER_MS} one fires after 1 ms),
 * and above 0 when `positive`; else an InvalidOptionError naming `option`.
 *
 * @example
 * timerMs('intervalMs', options.intervalMs ?? 30_000, { positive: true }); // 30000
 */
export function timerMs(option: string, value: number, { positive = false } = {}): number {
  const valid =
    typeof value === 'number' &&
    Number.isFinite(value) &&
    (positive ? value > 0 : value >= 0) &&
    value <= MAX_TIMER_MS;
  if (!valid) {
    throw new InvalidOptionError(
      option,
      `must be a number of ms ${positive ? 'above 0' : 'from 0'} up to ${MAX_TIMER_MS}, got ${String(value)}`,
    );
  }
  return value;
}
