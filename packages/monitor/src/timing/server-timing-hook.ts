import type { ServerResponse } from 'node:http';
import { SharedPrototypeHook } from '../http/shared-prototype-hook.js';
import { currentTimings } from './request-timings.js';

type WriteHead = ServerResponse['writeHead'];

/** Makes `target.writeHead` add the `Server-Timing` of the current request, then run as before. */
function wrapWriteHead(target: object): void {
  const wrapped = target as { writeHead: WriteHead };
  const parent = Object.getPrototypeOf(target) as { writeHead: WriteHead };
  wrapped.writeHead = function (this: ServerResponse) {
    const value = currentTimings.getStore()?.takeHeader(this);
    if (value !== undefined) this.setHeader('Server-Timing', value);
    // `arguments` rather than a rest parameter: V8 forwards it through
    // `Reflect.apply` without allocating an array, and writeHead runs once per request.
    // biome-ignore lint/complexity/noArguments: forwarded without allocation, see above
    return Reflect.apply(parent.writeHead, this, arguments);
  } as WriteHead;
}

const sharedWriteHead = new SharedPrototypeHook(wrapWriteHead);

/**
 * Makes `res.writeHead`, where headers are committed (whether the handler
 * calls it or `res.end()` does), add the `Server-Timing` of the request whose
 * timing context is current. Under Express the shared response prototype's
 * writeHead is wrapped once (see {@link SharedPrototypeHook}); a plain
 * `node:http` response gets a wrapper of its own.
 */
export function hookWriteHead(res: ServerResponse): void {
  if (!sharedWriteHead.hook(res)) wrapWriteHead(res);
}
