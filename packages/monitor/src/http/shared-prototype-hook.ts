import { ServerResponse } from 'node:http';

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

/**
 * Installs a wrapper once on the response prototype a framework shares, so
 * that a request touches no property of its response. Express sets every
 * response's prototype per request, which gives each response a hidden class
 * of its own: every property a request reads or writes on it, a listener's
 * bookkeeping included, is an inline-cache miss: a lookup in V8's runtime,
 * about two thousand instructions (the monitor README's Benchmark). Node's
 * own prototype, shared by every `node:http` server in the process, is left
 * alone.
 */
export class SharedPrototypeHook {
  // Framework prototypes hooked, and the app prototypes known to inherit from
  // one, so that later responses of that app skip the prototype walk.
  private readonly hooked = new WeakSet<object>();

  constructor(private readonly install: (prototype: object) => void) {}

  /** Hooks `res`'s framework prototype; false for a plain `node:http` response, which has none. */
  hook(res: ServerResponse): boolean {
    const appPrototype = Object.getPrototypeOf(res) as object;
    if (this.hooked.has(appPrototype)) return true;
    if (appPrototype === ServerResponse.prototype) return false;
    const proto = frameworkPrototype(res);
    if (proto === undefined) return false;
    if (!this.hooked.has(proto)) {
      this.install(proto);
      this.hooked.add(proto);
    }
    this.hooked.add(appPrototype);
    return true;
  }
}
