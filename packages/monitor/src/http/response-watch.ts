import { ServerResponse } from 'node:http';

/** What a request keeps from its start until its response closes. */
export interface ResponseWatch {
  /** The status code the response committed, 0 until it does. */
  status: number;
  /** Whether the whole response was handed to the OS (`finish`) before it closed. */
  finished: boolean;
  /** Called as the response commits its headers, the last moment to add one. */
  committing(res: ServerResponse): void;
  /** Called once, when the response closes, completed or cut short by the client. */
  closed(res: ServerResponse): void;
}

type WriteHead = ServerResponse['writeHead'];
type Emit = ServerResponse['emit'];

// Watched responses of a framework. A Map rather than a WeakMap, as it costs
// the garbage collector less: every response emits `close`, completed or
// aborted, and that removes it.
const watches = new Map<ServerResponse, ResponseWatch>();

/**
 * Makes `target.writeHead`, where every response commits its headers
 * (whether the handler calls it or `res.end()` does), tell the watch of its
 * response, then run as before.
 */
function wrapWriteHead(target: object, watchOf: (res: ServerResponse) => ResponseWatch | undefined): void {
  const wrapped = target as { writeHead: WriteHead };
  const parent = Object.getPrototypeOf(target) as { writeHead: WriteHead };
  wrapped.writeHead = function (this: ServerResponse, statusCode: number) {
    const watch = watchOf(this);
    if (watch !== undefined) {
      watch.status = statusCode;
      watch.committing(this);
    }
    // `arguments` rather than a rest parameter: V8 forwards it through
    // `Reflect.apply` without allocating an array.
    // biome-ignore lint/complexity/noArguments: forwarded without allocation, see above
    return Reflect.apply(parent.writeHead, this, arguments);
  } as WriteHead;
}

/** Makes `target.emit` tell the watch of its response of `finish` and `close`. */
function wrapEmit(target: object): void {
  const wrapped = target as { emit: Emit };
  const parent = Object.getPrototypeOf(target) as { emit: Emit };
  wrapped.emit = function (this: ServerResponse, event: string | symbol) {
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
    // biome-ignore lint/complexity/noArguments: forwarded without allocation, as in wrapWriteHead
    return Reflect.apply(parent.emit, this, arguments);
  } as Emit;
}

/**
 * The prototype just above node's `ServerResponse.prototype` in `res`'s
 * chain — Express's response object, which the responses of every app and
 * sub-app inherit from — or `undefined` for a plain `node:http` response.
 */
function frameworkPrototype(res: ServerResponse): object | undefined {
  let proto: object | null = Object.getPrototypeOf(res);
  while (proto !== null && Object.getPrototypeOf(proto) !== ServerResponse.prototype) {
    proto = Object.getPrototypeOf(proto);
  }
  return proto ?? undefined;
}

// Framework prototypes wrapped, and the app prototypes known to inherit from
// one, so that later responses of that app skip the prototype walk.
const hooked = new WeakSet<object>();

/**
 * Wraps `writeHead` and `emit` once on the response prototype a framework
 * shares; false for a plain `node:http` response, which has none. Express sets
 * every response's prototype per request, which gives each response a hidden
 * class of its own: every property a request reads or writes on it, a
 * listener's bookkeeping included, is an inline-cache miss, a lookup in V8's
 * runtime of about two thousand instructions (the monitor README's
 * Benchmark). Node's own prototype, shared by every `node:http` server in the
 * process, is left alone.
 */
function hookSharedPrototype(res: ServerResponse): boolean {
  const appPrototype = Object.getPrototypeOf(res) as object;
  if (hooked.has(appPrototype)) return true;
  if (appPrototype === ServerResponse.prototype) return false;
  const proto = frameworkPrototype(res);
  if (proto === undefined) return false;
  if (!hooked.has(proto)) {
    wrapWriteHead(proto, (response) => watches.get(response));
    wrapEmit(proto);
    hooked.add(proto);
  }
  hooked.add(appPrototype);
  return true;
}

/**
 * Tells `watch` when `res` commits its headers, finishes and closes. An
 * Express response is followed through its shared prototype's `writeHead`
 * and `emit`, so that the request touches no property of the response (see
 * {@link hookSharedPrototype}); a plain `node:http` response, or one watched
 * twice, gets a `writeHead` wrapper and a `close` listener of its own.
 */
export function watchResponse(res: ServerResponse, watch: ResponseWatch): void {
  if (hookSharedPrototype(res) && !watches.has(res)) {
    watches.set(res, watch);
    return;
  }
  wrapWriteHead(res, () => watch);
  res.on('close', () => {
    watch.finished = res.writableFinished;
    watch.closed(res);
  });
}
