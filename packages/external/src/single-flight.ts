import { AbortedError } from './errors.js';

interface Flight<T> {
  promise: Promise<T>;
  controller: AbortController;
  waiters: number;
}

/**
 * At most one task in flight per key; later callers join it. A caller's abort only stops its own
 * wait; the task is aborted when every waiter has gone.
 *
 * @example
 * const flights = new SingleFlight<Config>();
 * const [a, b] = await Promise.all([flights.run(id, load), flights.run(id, load)]); // one load
 */
export class SingleFlight<T> {
  readonly #flights = new Map<string, Flight<T>>();

  run(key: string, task: (signal: AbortSignal) => Promise<T>, signal?: AbortSignal): Promise<T> {
    if (signal?.aborted) return Promise.reject(new AbortedError({ cause: signal.reason }));
    const flight = this.#flights.get(key) ?? this.#start(key, task);
    flight.waiters++;
    if (!signal) return flight.promise;
    return new Promise<T>((resolve, reject) => {
      const onAbort = () => {
        if (--flight.waiters === 0) flight.controller.abort(signal.reason);
        reject(new AbortedError({ cause: signal.reason }));
      };
      signal.addEventListener('abort', onAbort, { once: true });
      flight.promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
    });
  }

  #start(key: string, task: (signal: AbortSignal) => Promise<T>): Flight<T> {
    const controller = new AbortController();
    const promise = task(controller.signal).finally(() => this.#flights.delete(key));
    // Joiners attach their own handlers; this one only keeps a flight nobody awaits from being unhandled.
    promise.catch(() => {});
    const flight = { promise, controller, waiters: 0 };
    this.#flights.set(key, flight);
    return flight;
  }
}
