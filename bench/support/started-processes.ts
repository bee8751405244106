import { constants } from 'node:os';

/** Anything a bench starts and must stop: an app, the ceiling, a redis-server, the fake ElevenLabs. */
export interface Stoppable {
  stop(): Promise<unknown>;
}

/**
 * What a bench has started, stopped in reverse order at its end, and also
 * on SIGINT or SIGTERM: node's default on a signal exits at once, skipping
 * `finally`, which left the apps, the ceiling, a private redis-server and
 * the fake ElevenLabs running after a `kill` or a `timeout`.
 *
 * @example
 * const started = new StartedProcesses();
 * try {
 *   const app = started.add(await startApp(env, base));
 * } finally {
 *   await started.stopAll();
 * }
 */
export class StartedProcesses {
  private readonly processes: Stoppable[] = [];
  private stopping: Promise<void> | undefined;

  constructor() {
    const onSignal = (signal: NodeJS.Signals) => {
      console.error(`\n${signal}: stopping what the bench started…`);
      void this.stopAll().finally(() => process.exit(128 + constants.signals[signal]));
    };
    process.once('SIGINT', onSignal).once('SIGTERM', onSignal);
  }

  /** Adds `process`, to be stopped by {@link stopAll}; one that arrives once stopping has begun is stopped at once. */
  add<T extends Stoppable>(process: T): T {
    if (this.stopping) void process.stop().catch(() => undefined);
    else this.processes.push(process);
    return process;
  }

  /**
   * Stops every process added, the last first; a failure to stop one does not keep the rest
   * running. Every call (the main flow's `finally`, a signal, a second signal) waits for the same stop.
   */
  stopAll(): Promise<void> {
    this.stopping ??= (async () => {
      for (const process of this.processes.reverse()) await process.stop().catch(() => undefined);
    })();
    return this.stopping;
  }
}
