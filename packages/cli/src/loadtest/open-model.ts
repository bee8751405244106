import { performance } from 'node:perf_hooks';
import { Pool } from 'undici';
import { PerfCliError } from '../errors.js';
import { redactUrl } from '../util/redact-url.js';
import { createHistogram, type Histogram, recordMs } from './histogram.js';
import type { LoadTarget } from './targets.js';

/** Options of one open-model (constant-rate) run against one target. */
export interface OpenModelOptions {
  /** Requests per second, on a fixed schedule: request i is due at t0 + i / rate. */
  rate: number;
  /** How long to send, in ms. */
  durationMs: number;
  /** Keep-alive connections, all opened before the clock starts. */
  connections: number;
  /** A request not answered within this many ms counts as a timeout error. */
  timeoutMs: number;
  /** A send later than this many ms after its due time counts as late. */
  lateThresholdMs: number;
  /** Due requests beyond this many in flight are dropped (and counted), so a dead server cannot exhaust memory. */
  maxInFlight: number;
  /** Called about every 100 ms with the fraction of the schedule sent. */
  onProgress?: (fraction: number) => void;
}

/** What one run measured. Latencies are from each request's intended send time. */
export interface ModelRunResult {
  /** Latency of successful (2xx/3xx) responses, µs. */
  histogram: Histogram;
  /** Closed model only: the same latencies before coordinated-omission correction. */
  uncorrected?: Histogram;
  /** Open model only: how late each send left the generator, µs. */
  sendLag?: Histogram;
  /** Requests the schedule asked for (open model) or sent (closed model). */
  scheduled: number;
  /** Successful responses. */
  ok: number;
  errors: { status: number; network: number; timeout: number };
  /** Sends later than `lateThresholdMs`. */
  late: number;
  /** Due requests never sent because `maxInFlight` was reached. */
  dropped: number;
  /** From the clock start to the last response, ms. */
  elapsedMs: number;
  /** Reasons the run cannot be trusted; empty when it can. */
  inconclusive: string[];
}

/** The largest share of late sends before a run is marked inconclusive… */
export const MAX_LATE_RATIO = 0.01;
/** …once there are at least this many (one hiccup in a 20-request test run is not a generator that cannot keep up). */
export const MIN_LATE_FOR_INCONCLUSIVE = 3;

/**
 * Opens `connections` keep-alive sockets by sending that many requests at
 * once, so connection set-up never lands inside the measured schedule.
 */
async function preconnect(
  pool: Pool,
  target: LoadTarget,
  path: string,
  connections: number,
  timeoutMs: number,
) {
  await Promise.all(
    Array.from({ length: connections }, async () => {
      const res = await pool.request({
        path,
        method: target.method as 'GET',
        headers: target.headers,
        body: target.body ?? null,
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
      });
      await res.body.dump();
    }),
  );
}

/**
 * Runs the open (constant-rate) model against one target: request i is due
 * at t0 + i / rate whatever happened before it, and its latency is measured
 * from that due time, so a stalled server is charged for every request it
 * delayed (no coordinated omission). Sends the generator could not make on
 * time are counted as late; a run with too many late or any dropped sends is
 * marked inconclusive instead of reported as the server's latency.
 *
 * @example
 * const r = await runOpenModel(target, { rate: 200, durationMs: 2000, connections: 20, timeoutMs: 10_000, lateThresholdMs: 5, maxInFlight: 10_000 });
 * summarize(r.histogram).p99
 */
export async function runOpenModel(target: LoadTarget, options: OpenModelOptions): Promise<ModelRunResult> {
  const url = new URL(target.url);
  const path = `${url.pathname}${url.search}`;
  const pool = new Pool(url.origin, { connections: options.connections, pipelining: 1 });
  const histogram = createHistogram();
  const sendLag = createHistogram();
  const errors = { status: 0, network: 0, timeout: 0 };
  let ok = 0;
  let late = 0;
  let dropped = 0;
  let inFlight = 0;
  let lastResponse = 0;
  try {
    try {
      await preconnect(pool, target, path, options.connections, options.timeoutMs);
    } catch (error) {
      throw new PerfCliError(
        'PERFKIT_CLI_TARGET_UNREACHABLE',
        `${target.name}: ${redactUrl(target.url)} is unreachable: ${(error as Error).message}`,
        {
          cause: error,
        },
      );
    }
    const total = Math.max(1, Math.round((options.rate * options.durationMs) / 1000));
    const intervalMs = 1000 / options.rate;
    const pending = new Set<Promise<void>>();

    const send = (due: number) => {
      const request = pool
        .request({
          path,
          method: target.method as 'GET',
          headers: target.headers,
          body: target.body ?? null,
          headersTimeout: options.timeoutMs,
          bodyTimeout: options.timeoutMs,
        })
        .then(async (res) => {
          await res.body.dump();
          const end = performance.now();
          lastResponse = end;
          if (res.statusCode < 400) {
            ok++;
            recordMs(histogram, end - due);
          } else errors.status++;
        })
        .catch((error: { code?: string }) => {
          lastResponse = performance.now();
          if (error.code === 'UND_ERR_HEADERS_TIMEOUT' || error.code === 'UND_ERR_BODY_TIMEOUT')
            errors.timeout++;
          else errors.network++;
        })
        .finally(() => {
          inFlight--;
          pending.delete(request);
        });
      pending.add(request);
    };

    const t0 = performance.now();
    let i = 0;
    let lastProgress = t0;
    await new Promise<void>((resolve) => {
      const tick = () => {
        const now = performance.now();
        // Everything already due goes out in this tick: at high rates one timer
        // tick covers several intervals, and each keeps its own due time.
        while (i < total && t0 + i * intervalMs <= now) {
          const due = t0 + i * intervalMs;
          const lag = now - due;
          recordMs(sendLag, lag);
          if (lag > options.lateThresholdMs) late++;
          if (inFlight >= options.maxInFlight) dropped++;
          else {
            inFlight++;
            send(due);
          }
          i++;
        }
        if (options.onProgress && now - lastProgress >= 100) {
          lastProgress = now;
          options.onProgress(i / total);
        }
        if (i >= total) {
          resolve();
          return;
        }
        setTimeout(tick, Math.max(0, t0 + i * intervalMs - performance.now()));
      };
      tick();
    });
    while (pending.size > 0) await Promise.all([...pending]);
    options.onProgress?.(1);
    const elapsedMs = Math.max(lastResponse, t0 + (total - 1) * intervalMs) - t0;
    const inconclusive: string[] = [];
    if (dropped > 0)
      inconclusive.push(`${dropped} sends dropped at ${options.maxInFlight} requests in flight`);
    if (late / total > MAX_LATE_RATIO && late >= MIN_LATE_FOR_INCONCLUSIVE) {
      inconclusive.push(
        `the generator could not keep the rate: ${late} of ${total} sends (${((100 * late) / total).toFixed(1)}%) left more than ${options.lateThresholdMs} ms late`,
      );
    }
    return { histogram, sendLag, scheduled: total, ok, errors, late, dropped, elapsedMs, inconclusive };
  } finally {
    await pool.close();
  }
}
