import type { ServerResponse } from 'node:http';
import { SharedPrototypeHook } from './shared-prototype-hook.js';

/** What a request keeps from its start until its response closes. */
export interface ResponseWatch {
  /** Whether the whole response was handed to the OS (`finish`) before it closed. */
  finished: boolean;
  /** Called once, when the response closes, completed or cut short by the client. */
  closed(res: ServerResponse): void;
}

// Watched responses of a framework. A Map rather than a WeakMap, as it costs
// the garbage collector less: every response emits `close`, completed or
// aborted, and that removes it.
const watches = new Map<ServerResponse, ResponseWatch>();

type Emit = ServerResponse['emit'];

const finishAndClose = new SharedPrototypeHook((prototype) => {
  const target = prototype as { emit: Emit };
  const parent = Object.getPrototypeOf(prototype) as { emit: Emit };
  target.emit = function (this: ServerResponse, event: string | symbol) {
    if (event === 'finish' || event === 'close') {
      const watch = watches.get(this);
      if (watch !== undefined) {
        if (event === 'finish') watch.finished = true;
        else {
          watches.delete(this);
          watch.closed(this);
        }
      }
    }
    // `arguments` rather than a rest parameter: V8 forwards it through
    // `Reflect.apply` without allocating an array, and emit runs a few times per request.
    // biome-ignore lint/complexity/noArguments: forwarded without allocation, see above
    return Reflect.apply(parent.emit, this, arguments);
  } as Emit;
});

/**
 * Tells `watch` when `res` finishes and closes. An Express response is
 * followed through its shared prototype's `emit`, so that the request adds no
 * listener to it (see {@link SharedPrototypeHook}); a plain `node:http`
 * response, or one watched twice, gets a `close` listener.
 */
export function watchResponse(res: ServerResponse, watch: ResponseWatch): void {
  if (finishAndClose.hook(res) && !watches.has(res)) {
    watches.set(res, watch);
    return;
  }
  res.on('close', () => {
    watch.finished = res.writableFinished;
    watch.closed(res);
  });
}
