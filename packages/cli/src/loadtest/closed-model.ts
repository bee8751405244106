import { performance } from 'node:perf_hooks';
import autocannon from 'autocannon';
import { PerfCliError } from '../errors.js';
import { redactUrl } from '../util/redact-url.js';
import { createHistogram, recordMs } from './histogram.js';
import type { ModelRunResult } from './open-model.js';
import type { LoadTarget } from './targets.js';

/** Options of one closed-model run (autocannon) against one target. */
export interface ClosedModelOptions {
  /** Connections, each sending its next request when the previous one is answered. */
  connections: number;
  /** How long to send, in ms. */
  durationMs: number;
  /** A request not answered within this many ms counts as a timeout error. */
  timeoutMs: number;
  /** Called about once a second with the fraction of the duration elapsed. */
  onProgress?: (fraction: number) => void;
}

/**
 * Runs the closed model with autocannon: `connections` loops, each waiting
 * for its answer before sending again. Such a loop sends less while the
 * server stalls, so its raw latencies omit the stall (coordinated omission).
 * We record every response time ourselves (µs, not autocannon's 1 ms
 * resolution) and correct the way wrk does — each value is back-filled with
 * the connection's mean request interval
 * (`copyCorrectedForCoordinatedOmission`) — and keep the raw histogram as
 * `uncorrected`. autocannon's own corrected percentiles are not used: its
 * correction always assumes a 1 ms interval.
 *
 * @example
 * const r = await runClosedModel(target, { connections: 10, durationMs: 2000, timeoutMs: 10_000 });
 * summarize(r.histogram).p99 // corrected; summarize(r.uncorrected!).p99 // raw
 */
export async function runClosedModel(
  target: LoadTarget,
  options: ClosedModelOptions,
): Promise<ModelRunResult> {
  const raw = createHistogram();
  let ok = 0;
  let statusErrors = 0;
  let start = 0;
  let lastResponse = 0;
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url: target.url,
        method: target.method as autocannon.Request['method'],
        headers: target.headers,
        ...(target.body === undefined ? {} : { body: target.body }),
        connections: options.connections,
        duration: options.durationMs / 1000,
        timeout: Math.max(1, Math.ceil(options.timeoutMs / 1000)),
      },
      (error, res) => (error ? reject(error) : resolve(res)),
    );
    instance.on('start', () => {
      start = performance.now();
    });
    instance.on('response', (_client, statusCode, _bytes, responseTime) => {
      lastResponse = performance.now();
      if (statusCode < 400) {
        ok++;
        recordMs(raw, responseTime);
      } else statusErrors++;
    });
    if (options.onProgress) {
      let ticks = 0;
      instance.on('tick', () => options.onProgress?.(Math.min(1, (++ticks * 1000) / options.durationMs)));
    }
  }).catch((error: unknown) => {
    throw new PerfCliError(
      'PERFKIT_CLI_TARGET_UNREACHABLE',
      `${target.name}: autocannon failed: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  });
  options.onProgress?.(1);
  const elapsedMs = lastResponse > start && start > 0 ? lastResponse - start : options.durationMs;
  const timeouts = result.timeouts ?? 0;
  const errors = {
    status: statusErrors,
    network: Math.max(0, (result.errors ?? 0) - timeouts),
    timeout: timeouts,
  };
  if (ok === 0 && errors.network + errors.timeout > 0) {
    throw new PerfCliError(
      'PERFKIT_CLI_TARGET_UNREACHABLE',
      `${target.name}: ${redactUrl(target.url)} answered no request`,
    );
  }
  // wrk's correction: the expected interval is the mean time between one connection's requests.
  const perConnection = ok / options.connections;
  const intervalUs = perConnection > 0 ? Math.round((elapsedMs * 1000) / perConnection) : 0;
  const histogram = intervalUs > 0 ? raw.copyCorrectedForCoordinatedOmission(intervalUs) : raw;
  const corrected = createHistogram();
  corrected.add(histogram);
  return {
    histogram: corrected,
    uncorrected: raw,
    scheduled: ok + statusErrors + errors.network + errors.timeout,
    ok,
    errors,
    late: 0,
    dropped: 0,
    elapsedMs,
    inconclusive: [],
  };
}
