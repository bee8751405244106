import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/** A response a monitor waits for, from its request's start until it ends. */
export interface ResponseWatch {
  readonly res: ServerResponse;
  /**
   * Called once: `finished` when the whole response was handed to the OS,
   * otherwise its connection closed first (the client went away, a timeout).
   */
  ended(finished: boolean): void;
}

/** What node publishes on `http.server.response.finish`. */
interface ResponseFinish {
  response: ServerResponse;
  socket: Socket;
}

// Published by every node:http server in the process (HTTP/1), as each
// response finishes; node:http2 publishes nothing.
const RESPONSE_FINISH = 'http.server.response.finish';

/** The watched responses of one connection that have not ended, in arrival order. */
class Connection {
  readonly pending: ResponseWatch[] = [];

  constructor(readonly onClose: () => void) {}
}

/**
 * Follows the responses a monitor is handed until they end, without
 * touching any prototype or adding anything to a response: node's
 * `http.server.response.finish` diagnostics channel reports every finished
 * response, and a `close` listener on each connection (added once per
 * socket, not per request) reports the ones still pending when it closes.
 * Node 20 has no channel for a response cut short. Responses of servers the
 * monitor is never handed cost one failed map lookup.
 *
 * Per request it reads one property, `req.socket`: Express gives every
 * request and response a hidden class of its own, so each read of one is an
 * inline-cache miss, a lookup in V8's runtime (the monitor README's
 * Benchmark).
 *
 * @example
 * ```ts
 * const responses = new ResponseObserver((error) => logger.error({ err: error }));
 * responses.watch(req, { res, ended: (finished) => record(res, finished ? res.statusCode : 499) });
 * responses.close();
 * ```
 */
export class ResponseObserver {
  private readonly connections = new Map<Socket, Connection>();
  private readonly onFinish = (message: unknown) => {
    const { response, socket } = message as ResponseFinish;
    const connection = this.connections.get(socket);
    if (connection !== undefined) this.end(connection.pending, response);
  };
  private state: 'idle' | 'observing' | 'closed' = 'idle';

  /** `failed` hears what a watch throws, which node would make an uncaught exception. */
  constructor(private readonly failed: (error: unknown) => void) {}

  /**
   * Tells `watch` when its response ends; the first call subscribes to
   * node's channel. Once the observer is closed it returns false and does
   * nothing, so that the request leaves nothing behind.
   */
  watch(req: IncomingMessage, watch: ResponseWatch): boolean {
    if (this.state !== 'observing' && !this.open()) return false;
    const { socket } = req;
    let connection = this.connections.get(socket);
    if (connection === undefined) {
      const opened = new Connection(() => this.disconnected(socket, opened));
      socket.on('close', opened.onClose);
      this.connections.set(socket, opened);
      connection = opened;
    }
    connection.pending.push(watch);
    return true;
  }

  /** Unsubscribes from the channel and every connection; pending responses are forgotten. */
  close(): void {
    this.state = 'closed';
    unsubscribe(RESPONSE_FINISH, this.onFinish);
    for (const [socket, connection] of this.connections) socket.off('close', connection.onClose);
    this.connections.clear();
  }

  /** Subscribes to node's channel, unless closed. */
  private open(): boolean {
    if (this.state === 'closed') return false;
    subscribe(RESPONSE_FINISH, this.onFinish);
    this.state = 'observing';
    return true;
  }

  /** Reports every watch of `response`: one per time it passed the middleware. */
  private end(pending: ResponseWatch[], response: ServerResponse): void {
    // Pipelined responses finish in order, so the match is almost always the
    // first entry, and shift() allocates nothing.
    let i = 0;
    while (i < pending.length) {
      const watch = pending[i] as ResponseWatch;
      if (watch.res !== response) i++;
      else {
        if (i === 0) pending.shift();
        else pending.splice(i, 1);
        this.report(watch, true);
      }
    }
  }

  private disconnected(socket: Socket, connection: Connection): void {
    this.connections.delete(socket);
    for (const watch of connection.pending) this.report(watch, false);
  }

  private report(watch: ResponseWatch, finished: boolean): void {
    try {
      watch.ended(finished);
    } catch (error) {
      this.failed(error);
    }
  }
}
