import { performance } from 'node:perf_hooks';
import { createHistogram, recordMs } from './histogram.js';
import { type Connection, expireRequests, openConnections } from './http/connection.js';
import type { Shard } from './report-schema.js';
import type { ModelRunResult } from './run-result.js';
import { shardRequests } from './shard.js';
import type { LoadTarget } from './targets.js';

/** Options of one open-model (constant-rate) run against one target. */
export interface OpenModelOptions {
  /** Requests per second of the whole run, on a fixed schedule: request i is due at t0 + i / rate. */
  rate: number;
  /** The part of the schedule this run sends (every `count`-th request). */
  shard: Shard;
  /** How long the whole schedule lasts, in ms. */
  durationMs: number;
  /** Keep-alive connections of this run, all opened before the clock starts. */
  connections: number;
  /** A request not answered within this many ms counts as a timeout error. */
  timeoutMs: number;
  /** A send later than this many ms after its due time counts as late. */
  lateThresholdMs: number;
  /** Due requests beyond this many in flight (sent or waiting for a connection) are dropped and counted. */
  maxInFlight: number;
}

/** A load model whose connections are open, waiting for its start time. */
export interface PreparedRun {
  /** Runs the model with its clock starting at `t0` (performance.now() time, now or just past). */
  start(t0: number, onProgress?: (fraction: number) => void): Promise<ModelRunResult>;
  /** Closes the connections (after `start`, or instead of it). */
  close(): void;
}

/** The largest share of late sends before a run is marked inconclusive… */
export const MAX_LATE_RATIO = 0.01;
/** …once there are at least this many (one hiccup in a 20-request test run is not a generator that cannot keep up). */
export const MIN_LATE_FOR_INCONCLUSIVE = 3;

/**
 * Prepares the open (constant-rate) model against one target: request i is
 * due at t0 + i / rate whatever happened before it, and its latency is
 * measured from that due time, so a stalled server is charged for every
 * request it delayed (no coordinated omission). A due request waits for a
 * free connection if all are busy, and that wait counts too. Sends the
 * generator could not make on time are counted as late; a run with too many
 * late or any dropped sends is marked inconclusive instead of reported as
 * the server's latency.
 *
 * @example
 * const run = await prepareOpenModel(target, { rate: 200, shard: WHOLE_RUN, durationMs: 2000, connections: 20, timeoutMs: 10_000, lateThresholdMs: 5, maxInFlight: 10_000 });
 * const result = await run.start(performance.now());
 * summarize(result.histogram).p99
 */
export async function prepareOpenModel(target: LoadTarget, options: OpenModelOptions): Promise<PreparedRun> {
  const histogram = createHistogram();
  const sendLag = createHistogram();
  const errors = { status: 0, network: 0, timeout: 0 };
  let ok = 0;
  let lastResponse = 0;
  /** Due times of requests waiting for a free connection, oldest first. */
  const waiting: number[] = [];
  let waitingHead = 0;
  const idle: Connection[] = [];
  let inFlight = 0;
  let finished = () => {};

  const next = (connection: Connection) => {
    if (waitingHead < waiting.length) {
      connection.due = waiting[waitingHead++] ?? 0;
      if (waitingHead === waiting.length) {
        waiting.length = 0;
        waitingHead = 0;
      }
      connection.send(performance.now());
    } else idle.push(connection);
  };
  const settle = (connection: Connection, at: number) => {
    lastResponse = at;
    inFlight--;
    next(connection);
    if (inFlight === 0) finished();
  };
  const connections = await openConnections(target, options.connections, {
    response(connection, status, endedAt) {
      if (status < 400) {
        ok++;
        recordMs(histogram, endedAt - connection.due);
      } else errors.status++;
      settle(connection, endedAt);
    },
    failure(connection, kind) {
      errors[kind]++;
      settle(connection, performance.now());
    },
  });
  idle.push(...connections);

  return {
    close: () => {
      for (const c of connections) c.close();
    },
    async start(t0, onProgress) {
      const stopExpiring = expireRequests(connections, options.timeoutMs);
      const total = Math.max(1, Math.round((options.rate * options.durationMs) / 1000));
      const share = shardRequests(total, options.shard);
      const intervalMs = 1000 / options.rate;
      const dueOf = (j: number) => t0 + (options.shard.index - 1 + j * options.shard.count) * intervalMs;
      let late = 0;
      let dropped = 0;
      let j = 0;
      let lastProgress = t0;
      await new Promise<void>((resolve) => {
        const tick = () => {
          const now = performance.now();
          // Everything already due goes out in this tick: at high rates one timer
          // tick covers several intervals, and each keeps its own due time.
          while (j < share && dueOf(j) <= now) {
            const due = dueOf(j);
            recordMs(sendLag, now - due);
            if (now - due > options.lateThresholdMs) late++;
            if (inFlight >= options.maxInFlight) dropped++;
            else {
              inFlight++;
              const connection = idle.pop();
              if (connection) {
                connection.due = due;
                connection.send(now);
              } else waiting.push(due);
            }
            j++;
          }
          if (onProgress && now - lastProgress >= 100) {
            lastProgress = now;
            onProgress(j / Math.max(1, share));
          }
          if (j >= share) resolve();
          else setTimeout(tick, Math.max(0, dueOf(j) - performance.now()));
        };
        tick();
      });
      if (inFlight > 0) await new Promise<void>((resolve) => (finished = resolve));
      stopExpiring();
      onProgress?.(1);
      // Each request holds one interval of the schedule, so n sends span n intervals (the duration), not
      // the n − 1 up to the last send: at 2 req/s for 1 s that read 4 req/s. A late last answer extends it.
      const elapsedMs = share === 0 ? 0 : Math.max(lastResponse, t0 + total * intervalMs) - t0;
      const inconclusive: string[] = [];
      if (dropped > 0)
        inconclusive.push(`${dropped} sends dropped at ${options.maxInFlight} requests in flight`);
      if (late / Math.max(1, share) > MAX_LATE_RATIO && late >= MIN_LATE_FOR_INCONCLUSIVE) {
        inconclusive.push(
          `the generator could not keep the rate: ${late} of ${share} sends (${((100 * late) / share).toFixed(1)}%) left more than ${options.lateThresholdMs} ms late`,
        );
      }
      return { histogram, sendLag, scheduled: share, ok, errors, late, dropped, elapsedMs, inconclusive };
    },
  };
}
