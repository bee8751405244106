import type { Random } from '@perfkit/primitives';

/**
 * How long the fake takes to answer one request.
 *
 * @example
 * const realistic: LatencySpec = { kind: 'lognormal', medianMs: 300, p99Ms: 1500 };
 * const instant: LatencySpec = { kind: 'none' };
 */
export type LatencySpec =
  | { kind: 'none' }
  | { kind: 'fixed'; ms: number }
  | { kind: 'lognormal'; medianMs: number; p99Ms: number };

/** z-score of the 99th percentile of the standard normal distribution. */
const Z_P99 = 2.326347874;

/** Draws one latency in milliseconds from `spec`. */
export function drawLatency(spec: LatencySpec, random: Random): number {
  switch (spec.kind) {
    case 'none':
      return 0;
    case 'fixed':
      return spec.ms;
    case 'lognormal': {
      const sigma = Math.log(spec.p99Ms / spec.medianMs) / Z_P99;
      return Math.round(spec.medianMs * Math.exp(sigma * standardNormal(random)));
    }
  }
}

/** Throws a clear error for an impossible latency specification. */
export function validateLatency(spec: LatencySpec, where: string): void {
  const fail = (detail: string) => {
    throw new TypeError(`${where}: ${detail}`);
  };
  switch (spec.kind) {
    case 'none':
      return;
    case 'fixed':
      if (!(spec.ms >= 0)) fail(`fixed latency needs ms >= 0, got ${spec.ms}`);
      return;
    case 'lognormal':
      if (!(spec.medianMs > 0)) fail(`lognormal latency needs medianMs > 0, got ${spec.medianMs}`);
      if (!(spec.p99Ms >= spec.medianMs))
        fail(`lognormal latency needs p99Ms >= medianMs, got ${spec.p99Ms}`);
      return;
    default:
      fail(`unknown latency kind ${JSON.stringify((spec as { kind: unknown }).kind)}`);
  }
}

/** Box–Muller transform; `1 - random()` keeps the logarithm's argument above zero. */
function standardNormal(random: Random): number {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}
