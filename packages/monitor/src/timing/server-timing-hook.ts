import { ServerResponse } from 'node:http';
import { currentTimings } from './request-timings.js';

type WriteHead = ServerResponse['writeHead'];

// Prototypes whose chain's writeHead already adds Server-Timing: Express's
// shared response prototype once wrapped, and each app's response object seen
// since, so that later responses of that app skip the prototype walk.
const hooked = new WeakSet<object>();

function wrapWriteHead(target: { writeHead: WriteHead }): void {
  const writeHead = target.writeHead;
  // `arguments` rather than a rest parameter: V8 forwards it through
  // `Reflect.apply` without allocating an array, and writeHead runs once per request.
  target.writeHead = function (this: ServerResponse) {
    const timings = currentTimings.getStore();
    if (timings?.response === this && !this.headersSent) this.setHeader('Server-Timing', timings.header());
    // biome-ignore lint/complexity/noArguments: forwarded without allocation, see above
    return Reflect.apply(writeHead, this, arguments);
  } as WriteHead;
}

/**
 * The prototype just above node's `ServerResponse.prototype` in `res`'s
 * chain — Express's response object, which the responses of every app and
 * sub-app inherit from — or `undefined` for a plain `node:http` response.
 */
function frameworkPrototype(res: ServerResponse): { writeHead: WriteHead } | undefined {
  let proto: object | null = Object.getPrototypeOf(res);
  while (proto !== null && Object.getPrototypeOf(proto) !== ServerResponse.prototype) {
    proto = Object.getPrototypeOf(proto);
  }
  return proto === null ? undefined : (proto as { writeHead: WriteHead });
}

/**
 * Makes `res.writeHead`, where headers are committed (whether the handler
 * calls it or `res.end()` does), add the `Server-Timing` of the request whose
 * timing context is current. Under Express the shared response prototype's
 * writeHead is wrapped once, so a request writes no property on its response
 * (the benchmark shows that costs points); a plain `node:http` response shares
 * node's own prototype, which is left alone: it gets a wrapper of its own.
 */
export function hookWriteHead(res: ServerResponse): void {
  const appPrototype = Object.getPrototypeOf(res) as object;
  if (hooked.has(appPrototype)) return;
  const proto = frameworkPrototype(res);
  if (proto === undefined) {
    wrapWriteHead(res);
    return;
  }
  if (!hooked.has(proto)) {
    wrapWriteHead(proto);
    hooked.add(proto);
  }
  hooked.add(appPrototype);
}
