import type { PerfCliErrorCode } from '../errors.js';
import type { ClosedModelOptions } from './closed-model.js';
import type { OpenModelOptions } from './open-model.js';
import type { EncodedRun } from './run-result.js';
import type { LoadTarget } from './targets.js';

/** What one worker thread runs in one phase. */
export type WorkerJob =
  | { model: 'open'; target: LoadTarget; options: OpenModelOptions }
  | { model: 'closed'; target: LoadTarget; options: ClosedModelOptions };

/**
 * Messages to a generator worker, in this order per phase: `prepare` (open
 * the connections), then `start` (run with the clock at `t0Epoch`, ms since
 * the Unix epoch, so threads and machines share it).
 */
export type ToWorker =
  | { type: 'prepare'; job: WorkerJob }
  | { type: 'start'; t0Epoch: number; reportProgress: boolean };

/** Messages from a generator worker. */
export type FromWorker =
  | { type: 'ready' }
  | { type: 'prepared' }
  | { type: 'progress'; fraction: number }
  | { type: 'done'; run: EncodedRun }
  | { type: 'failed'; error: { code: PerfCliErrorCode | null; message: string; exitCode: number | null } };
