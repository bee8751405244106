import { readFileSync } from 'node:fs';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import type { GeneratorLoad } from './report-schema.js';

/** A generator worker that needed a CPU for this share of a run or more was the limit, not the target. */
export const MAX_GENERATOR_LOAD = 0.9;
const LOOP_DELAY_RESOLUTION_MS = 10;

/** The calling thread's scheduler counters (Linux): ns spent running, and runnable but waiting for a CPU. */
function threadSchedule(): { runNs: number; waitNs: number } | null {
  try {
    const [run, wait] = readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ').map(Number);
    return Number.isFinite(run) && Number.isFinite(wait)
      ? { runNs: run as number, waitNs: wait as number }
      : null;
  } catch {
    return null;
  }
}

const share = (value: number) => Math.round(Math.max(0, value) * 1000) / 1000;

/**
 * Starts measuring the calling thread's load: its event-loop utilization
 * (the share of time it was running callbacks rather than waiting for I/O),
 * on Linux the share of time it ran on a CPU and the share it was ready to
 * run but waited for one (`/proc/thread-self/schedstat`), and how late a
 * 10 ms timer fires. Returns the function that stops and reads it.
 *
 * @example
 * const stop = watchGeneratorLoad(); await run(); stop() // { busy: 0.42, cpu: 0.4, cpuWait: 0.01, loopDelayP99Ms: 1.3 }
 */
export function watchGeneratorLoad(): () => GeneratorLoad {
  const delay = monitorEventLoopDelay({ resolution: LOOP_DELAY_RESOLUTION_MS });
  delay.enable();
  const utilization = performance.eventLoopUtilization();
  const schedule = threadSchedule();
  const startedAt = performance.now();
  return () => {
    delay.disable();
    const wallNs = (performance.now() - startedAt) * 1e6;
    const after = threadSchedule();
    // The monitor records whole intervals between ticks; the tick itself is not delay.
    const p99 = delay.count > 0 ? delay.percentile(99) / 1e6 - LOOP_DELAY_RESOLUTION_MS : 0;
    return {
      busy: share(performance.eventLoopUtilization(utilization).utilization),
      cpu: schedule && after ? share((after.runNs - schedule.runNs) / wallNs) : null,
      cpuWait: schedule && after ? share((after.waitNs - schedule.waitNs) / wallNs) : null,
      loopDelayP99Ms: Math.round(Math.max(0, p99) * 100) / 100,
    };
  };
}

/** How much of a CPU a worker needed: its busy share, or (where the scheduler says) the time it ran plus the time it waited to run. */
export const generatorDemand = (load: GeneratorLoad) =>
  Math.max(load.busy, load.cpu === null || load.cpuWait === null ? 0 : load.cpu + load.cpuWait);

/**
 * Why a run measured its generator rather than its target, if it did: a
 * worker that needed a CPU for {@link MAX_GENERATOR_LOAD} of the run or
 * more — busy with its own work (event-loop utilization), or, on a machine
 * short of CPU, ready to run but waiting for one — had answers waiting for
 * it, so the throughput is the generator's and the latencies include its
 * queueing. (Against a bare node:http endpoint on its own core, one worker
 * needed 92–94 %, two sharing the other core 59–70 % each, for about the
 * same throughput.) The event-loop delay is reported alongside.
 *
 * @example
 * saturationReasons([{ busy: 0.97, cpu: 0.95, cpuWait: 0.02, loopDelayP99Ms: 1.4 }], 1.02)
 * // ['the generator was the limit: worker 1 of 1 needed a CPU 97 % of the run …']
 */
export function saturationReasons(loads: GeneratorLoad[], cpuCores: number): string[] {
  let worst = -1;
  loads.forEach((load, i) => {
    const worstLoad = loads[worst];
    if (
      generatorDemand(load) >= MAX_GENERATOR_LOAD &&
      (!worstLoad || generatorDemand(load) > generatorDemand(worstLoad))
    )
      worst = i;
  });
  const load = loads[worst];
  if (!load) return [];
  const percent = (value: number) => `${Math.round(value * 100)} %`;
  const scheduler =
    load.cpu === null || load.cpuWait === null
      ? ''
      : `: ran ${percent(load.cpu)}, waited for a CPU ${percent(load.cpuWait)}, event loop busy ${percent(load.busy)}`;
  return [
    `the generator was the limit: worker ${worst + 1} of ${loads.length} needed a CPU ${percent(generatorDemand(load))} of the run (limit ${percent(MAX_GENERATOR_LOAD)}${scheduler}; event-loop delay p99 ${load.loopDelayP99Ms} ms; ${cpuCores.toFixed(2)} CPU cores used), so the target may serve more than measured: add workers, or machines (shards)`,
  ];
}
