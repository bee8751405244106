import { InvalidMonitorOptionsError } from './errors.js';

/**
 * A duration: a number of milliseconds, or a string such as `'250ms'`, `'30s'`, `'5m'`.
 *
 * @example
 * ```ts
 * const window: Duration = '60s';
 * ```
 */
export type Duration = number | `${number}${'ms' | 's' | 'm' | 'h'}`;

const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;

/** Converts a {@link Duration} to milliseconds, rejecting negative or malformed values. */
export function toMilliseconds(option: string, value: Duration): number {
  if (typeof value === 'number') {
    if (Number.isFinite(value) && value >= 0) return value;
  } else {
    const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(value);
    if (match) return Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
  }
  throw new InvalidMonitorOptionsError(
    option,
    `expected milliseconds or a string like '30s', got ${JSON.stringify(value)}`,
  );
}
