import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';

/** What node publishes on `http.server.request.start`. */
interface RequestStart {
  response: ServerResponse;
  server: Server;
}

// Published by every node:http server in the process as a request arrives,
// before its 'request' event, so before any framework has seen the response.
const REQUEST_START = 'http.server.request.start';

/**
 * Prepares each response a monitor times (a listener, a `writeHead`) once,
 * before its handler runs, at the cheapest moment. Express gives each
 * response a hidden class of its own, so in the middleware every property
 * access on it is an inline-cache miss and a new property makes V8 copy the
 * class (about 20,000 instructions a request; the README's Benchmark). A
 * response of a server the monitor has already seen is therefore prepared
 * as it arrives (`http.server.request.start`), while its hidden class is
 * still node's shared one. The middleware prepares the rest itself: the
 * first request of each server, and a request that reaches it after another
 * one arrived (an asynchronous middleware mounted before the monitor's).
 * Responses of servers the monitor was never handed are left alone.
 *
 * @example
 * ```ts
 * const arriving = new ArrivingResponses((res) => res.on('prefinish', stamp));
 * if (arriving.reached(req, res)) … // in the middleware
 * arriving.close();
 * ```
 */
export class ArrivingResponses {
  private readonly servers = new WeakSet<Server>();
  private arrived: ServerResponse | undefined;
  private state: 'idle' | 'observing' | 'closed' = 'idle';

  private readonly onRequestStart = (message: unknown) => {
    const { response, server } = message as RequestStart;
    if (!this.servers.has(server)) return;
    this.prepare(response);
    this.arrived = response;
  };

  constructor(private readonly prepare: (res: ServerResponse) => void) {}

  /**
   * Called by the middleware as `res` reaches it: prepares it unless that
   * happened as it arrived. Once closed it returns false and adds nothing.
   */
  reached(req: IncomingMessage, res: ServerResponse): boolean {
    if (res === this.arrived) {
      this.arrived = undefined;
      return true;
    }
    if (this.state === 'closed') return false;
    this.learnServerOf(req);
    this.prepare(res);
    return true;
  }

  /** Unsubscribes; responses prepared already keep what they were given. */
  close(): void {
    this.state = 'closed';
    unsubscribe(REQUEST_START, this.onRequestStart);
    this.arrived = undefined;
  }

  private learnServerOf(req: IncomingMessage): void {
    const { server } = req.socket as { server?: Server };
    if (server === undefined || this.servers.has(server)) return;
    this.servers.add(server);
    if (this.state === 'idle') {
      subscribe(REQUEST_START, this.onRequestStart);
      this.state = 'observing';
    }
  }
}
