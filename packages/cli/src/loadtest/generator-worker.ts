/**
 * A generator worker thread: runs one share of each phase's load with its
 * own connections and event loop, and hands back its histograms encoded
 * (they merge exactly) with its own load. Started by {@link startGeneratorPool}.
 */
import { performance } from 'node:perf_hooks';
import { parentPort } from 'node:worker_threads';
import { isCliError } from '../errors.js';
import { prepareClosedModel } from './closed-model.js';
import { type PreparedRun, prepareOpenModel } from './open-model.js';
import { encodeRun } from './run-result.js';
import { watchGeneratorLoad } from './saturation.js';
import type { FromWorker, ToWorker } from './worker-protocol.js';

const port = parentPort;
if (!port) throw new Error('generator-worker runs in a worker thread');
const post = (message: FromWorker) => port.postMessage(message);
let prepared: PreparedRun | undefined;

async function handle(message: ToWorker): Promise<void> {
  if (message.type === 'prepare') {
    const { job } = message;
    prepared =
      job.model === 'open'
        ? await prepareOpenModel(job.target, job.options)
        : await prepareClosedModel(job.target, job.options);
    post({ type: 'prepared' });
    return;
  }
  const run = prepared;
  prepared = undefined;
  if (!run) throw new Error('start before prepare');
  try {
    // Each thread has its own performance.timeOrigin; the epoch is what threads and machines share.
    const t0 = message.t0Epoch - performance.timeOrigin;
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, t0 - performance.now())));
    const stopWatching = watchGeneratorLoad();
    const result = await run.start(
      t0,
      message.reportProgress ? (fraction) => post({ type: 'progress', fraction }) : undefined,
    );
    post({ type: 'done', run: encodeRun({ ...result, generator: [stopWatching()], cpuCores: 0 }) });
  } finally {
    run.close();
  }
}

port.on('message', (message: ToWorker) => {
  handle(message).catch((error: unknown) => {
    const e = error as Error;
    post({
      type: 'failed',
      error: isCliError(error)
        ? { code: error.code, message: error.message, exitCode: error.exitCode }
        : { code: null, message: e?.message ?? String(error), exitCode: null },
    });
  });
});
post({ type: 'ready' });
