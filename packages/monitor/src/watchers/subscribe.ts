/** A typed event source with `on` / `off`, as the cache and the ElevenLabs client expose. */
export interface EventSource<Events> {
  on<E extends keyof Events>(event: E, listener: (payload: Events[E]) => void): unknown;
  off<E extends keyof Events>(event: E, listener: (payload: Events[E]) => void): unknown;
}

/** One listener per event of `Events`. */
export type Listeners<Events> = { [E in keyof Events]: (payload: Events[E]) => void };

/** Subscribes every listener to `source`; returns the function that unsubscribes them all. */
export function subscribeAll<Events>(source: EventSource<Events>, listeners: Listeners<Events>): () => void {
  const events = Object.keys(listeners) as (keyof Events)[];
  for (const event of events) source.on(event, listeners[event]);
  return () => {
    for (const event of events) source.off(event, listeners[event]);
  };
}
