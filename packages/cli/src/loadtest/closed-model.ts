import { performance } from 'node:perf_hooks';
import { PerfCliError } from '../errors.js';
import { redactUrl } from '../util/redact-url.js';
import { createHistogram, recordMs } from './histogram.js';
import { type Connection, expireRequests, openConnections } from './http/connection.js';
import type { PreparedRun } from './open-model.js';
import type { LoadTarget } from './targets.js';

/** Options of one closed-model run against one target. */
export interface ClosedModelOptions {
  /** Connections, each sending its next request when the previous one is answered. */
  connections: number;
  /** How long to send, in ms. */
  durationMs: number;
  /** A request not answered within this many ms counts as a timeout error. */
  timeoutMs: number;
  /** A run that starts later than this many ms after its start time is inconclusive (machines sharing a `--start-at` would not overlap). Default: no limit. */
  maxStartLagMs?: number;
}

/** After a broken connection, its loop waits this long before it connects again, so a dead target is not hammered with connects. */
const RECONNECT_DELAY_MS = 10;

/**
 * Prepares the closed model: `connections` loops, each sending its next
 * request the moment the previous one is answered (wrk's and autocannon's
 * model). Such a loop sends less while the server stalls, so its raw
 * latencies omit the stall (coordinated omission): we keep the raw
 * histogram as `uncorrected` and correct the way wrk does — each value is
 * back-filled with the connection's mean request interval
 * (`copyCorrectedForCoordinatedOmission`).
 *
 * @example
 * const run = await prepareClosedModel(target, { connections: 10, durationMs: 2000, timeoutMs: 10_000 });
 * const r = await run.start(performance.now());
 * summarize(r.histogram).p99 // corrected; summarize(r.uncorrected!).p99 // raw
 */
export async function prepareClosedModel(
  target: LoadTarget,
  options: ClosedModelOptions,
): Promise<PreparedRun> {
  const raw = createHistogram();
  const errors = { status: 0, network: 0, timeout: 0 };
  let ok = 0;
  let sent = 0;
  let lastResponse = 0;
  let end = Number.POSITIVE_INFINITY;
  let inFlight = 0;
  let finished = () => {};

  const loop = (connection: Connection, at: number) => {
    lastResponse = at;
    if (at < end) {
      sent++;
      connection.send(at);
    } else if (--inFlight === 0) finished();
  };
  const connections = await openConnections(target, options.connections, {
    response(connection, status, endedAt) {
      if (status < 400) {
        ok++;
        recordMs(raw, endedAt - connection.sentAt);
      } else errors.status++;
      loop(connection, endedAt);
    },
    failure(connection, kind) {
      errors[kind]++;
      setTimeout(() => loop(connection, performance.now()), RECONNECT_DELAY_MS);
    },
  });

  return {
    close: () => {
      for (const c of connections) c.close();
    },
    async start(t0, onProgress) {
      const stopExpiring = expireRequests(connections, options.timeoutMs);
      const startedAt = performance.now();
      end = t0 + options.durationMs;
      const progress =
        onProgress &&
        setInterval(() => onProgress(Math.min(1, (performance.now() - t0) / options.durationMs)), 100);
      inFlight = connections.length;
      const done = new Promise<void>((resolve) => (finished = resolve));
      for (const connection of connections) {
        sent++;
        connection.send(startedAt);
      }
      await done;
      stopExpiring();
      if (progress) clearInterval(progress);
      onProgress?.(1);
      const elapsedMs = Math.max(1, lastResponse - t0);
      if (ok === 0 && errors.network + errors.timeout > 0) {
        throw new PerfCliError(
          'PERFKIT_CLI_TARGET_UNREACHABLE',
          `${target.name}: ${redactUrl(target.url)} answered no request`,
        );
      }
      // wrk's correction: the expected interval is the mean time between one connection's requests.
      const perConnection = ok / connections.length;
      const intervalUs = perConnection > 0 ? Math.round((elapsedMs * 1000) / perConnection) : 0;
      const corrected = createHistogram();
      corrected.add(intervalUs > 0 ? raw.copyCorrectedForCoordinatedOmission(intervalUs) : raw);
      const startLagMs = startedAt - t0;
      return {
        histogram: corrected,
        uncorrected: raw,
        scheduled: sent,
        ok,
        errors,
        late: 0,
        dropped: 0,
        elapsedMs,
        inconclusive:
          startLagMs > (options.maxStartLagMs ?? Number.POSITIVE_INFINITY)
            ? [`the generator started ${startLagMs.toFixed(0)} ms after its start time`]
            : [],
      };
    },
  };
}
