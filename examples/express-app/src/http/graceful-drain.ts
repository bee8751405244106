import type { RequestListener, Server, ServerResponse } from 'node:http';
import { promisify } from 'node:util';
import { within } from '@perfkit/primitives';

/**
 * A server's shutdown: stop accepting, let the requests in flight finish
 * within a grace period, then cut what is left. While it drains, every
 * answer not yet started says `Connection: close`, so a keep-alive client
 * opens a new connection (to another instance) for its next request instead
 * of sending it on one that is about to close.
 *
 * @example
 * const drain = new GracefulDrain();
 * const server = createServer(drain.tracking(app));
 * const cut = await drain.drain(server, 10_000);
 */
export class GracefulDrain {
  readonly #inFlight = new Set<ServerResponse>();
  #draining = false;

  /** Wraps the server's request listener so that the drain knows the answers in flight. */
  tracking(next: RequestListener): RequestListener {
    return (req, res) => {
      if (this.#draining) {
        res.setHeader('Connection', 'close');
      } else {
        this.#inFlight.add(res);
        res.once('close', () => this.#inFlight.delete(res));
      }
      next(req, res);
    };
  }

  /**
   * Drains `server`: resolves with the number of connections it cut after
   * `graceMs`, each busy with a request (idle ones were closed all along).
   */
  async drain(server: Server, graceMs: number): Promise<number> {
    this.#draining = true;
    for (const res of this.#inFlight) if (!res.headersSent) res.setHeader('Connection', 'close');
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    // A keep-alive connection goes idle when its request ends and would hold `close` open until it times out.
    const reaper = setInterval(() => server.closeIdleConnections(), 50);
    server.closeIdleConnections();
    const finished = await within(
      closed.then(() => true),
      graceMs,
      false,
    );
    clearInterval(reaper);
    if (finished) return 0;
    server.closeIdleConnections(); // those whose request ended since the reaper's last pass
    const cut = await promisify(server.getConnections.bind(server))();
    server.closeAllConnections();
    await closed;
    return cut;
  }
}
