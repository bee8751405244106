import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import type { GeneratorLoad } from './run-result.js';

/** A generator worker busy for this share of a run or more was the limit, not the target. */
export const MAX_GENERATOR_BUSY = 0.9;
const LOOP_DELAY_RESOLUTION_MS = 10;

/**
 * Starts measuring the calling thread's load: its event-loop utilization
 * (the share of time it was running callbacks rather than waiting for I/O)
 * and how late a 10 ms timer fires. Returns the function that stops and
 * reads it.
 *
 * @example
 * const stop = watchGeneratorLoad(); await run(); stop() // { busy: 0.42, loopDelayP99Ms: 1.3 }
 */
export function watchGeneratorLoad(): () => GeneratorLoad {
  const delay = monitorEventLoopDelay({ resolution: LOOP_DELAY_RESOLUTION_MS });
  delay.enable();
  const start = performance.eventLoopUtilization();
  return () => {
    delay.disable();
    const busy = performance.eventLoopUtilization(start).utilization;
    // The monitor records whole intervals between ticks; the tick itself is not delay.
    const p99 = delay.count > 0 ? delay.percentile(99) / 1e6 - LOOP_DELAY_RESOLUTION_MS : 0;
    return { busy: Math.round(busy * 1000) / 1000, loopDelayP99Ms: Math.round(Math.max(0, p99) * 100) / 100 };
  };
}

/**
 * Why a run measured its generator rather than its target, if it did: a
 * worker whose event loop was busy {@link MAX_GENERATOR_BUSY} of the run or
 * more had requests' answers waiting for it, so the throughput is the
 * generator's and the latencies include its queueing. (A loop that waits for
 * a slower target stays well below: about 75 % at 75k req/s here.) The
 * event-loop delay is reported alongside but not judged: a saturated loop
 * runs many short iterations, so its delay stays near 1 ms.
 *
 * @example
 * saturationReasons([{ busy: 0.97, loopDelayP99Ms: 1.4 }], 1.02)
 * // ['the generator was the limit: worker 1 of 1 was busy 97 % of the run …']
 */
export function saturationReasons(loads: GeneratorLoad[], cpuCores: number): string[] {
  let worst = -1;
  loads.forEach((load, i) => {
    if (load.busy >= MAX_GENERATOR_BUSY && (worst < 0 || load.busy > (loads[worst]?.busy ?? 0))) worst = i;
  });
  const load = loads[worst];
  if (!load) return [];
  return [
    `the generator was the limit: worker ${worst + 1} of ${loads.length} was busy ${Math.round(load.busy * 100)} % of the run (limit ${MAX_GENERATOR_BUSY * 100} %; event-loop delay p99 ${load.loopDelayP99Ms} ms; ${cpuCores.toFixed(2)} CPU cores used), so the target may serve more than measured: add --workers, or machines with --shard`,
  ];
}
