import type { Clock } from '../../src/index.js';

/** A clock whose sleeps return at once and move time forward, recording each wait. */
export class VirtualClock implements Clock {
  readonly sleeps: number[] = [];
  #now: number;

  constructor(start = Date.now()) {
    this.#now = start;
  }

  now = (): number => this.#now;

  advance(ms: number): void {
    this.#now += ms;
  }

  sleep = async (ms: number, signal?: AbortSignal): Promise<void> => {
    signal?.throwIfAborted();
    this.sleeps.push(ms);
    this.#now += ms;
  };
}
