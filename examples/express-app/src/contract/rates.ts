/**
 * The one function every mode uses to turn integer counts into a rate, so
 * identical data gives identical JSON: 4 decimals, 0 when there is nothing to
 * divide by.
 *
 * @example
 * rate(1, 3); // 0.3333
 * rate(5, 0); // 0
 */
export function rate(numerator: number, denominator: number): number {
  if (denominator === 0) return 0;
  // Scaling the integer numerator first keeps halfway cases exact in binary floating point.
  return Math.round((numerator * 10_000) / denominator) / 10_000;
}

/**
 * Average duration in seconds over completed calls, rounded to 1 decimal; 0
 * when there are none.
 *
 * @example
 * averageSeconds(125, 2); // 62.5
 */
export function averageSeconds(totalSeconds: number, count: number): number {
  if (count === 0) return 0;
  return Math.round((totalSeconds * 10) / count) / 10;
}
