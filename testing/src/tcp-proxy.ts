import { once } from 'node:events';
import { type AddressInfo, createServer, type Socket, connect as tcpConnect } from 'node:net';

/** A TCP proxy a test controls, in front of a real server. */
export interface TcpProxy {
  port: number;
  /**
   * Makes every connection open now half-open: bytes are dropped both ways
   * while both sockets stay open, as when a network path dies without a FIN
   * or RST. Connections made later are forwarded normally.
   */
  stopForwarding(): void;
  /** Connections accepted so far. */
  readonly accepted: number;
  close(): Promise<void>;
}

interface Pair {
  client: Socket;
  upstream: Socket;
  forwarding: boolean;
}

/** Starts a proxy on 127.0.0.1, port 0, forwarding to `target`. */
export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const pairs = new Set<Pair>();
  let accepted = 0;
  const server = createServer((client) => {
    accepted++;
    const pair: Pair = { client, upstream: tcpConnect(target.port, target.host), forwarding: true };
    pairs.add(pair);
    const relay = (from: Socket, to: Socket) => {
      from.on('data', (chunk) => {
        if (pair.forwarding) to.write(chunk);
      });
      from.on('error', () => {});
      from.on('close', () => {
        to.destroy();
        pairs.delete(pair);
      });
    };
    relay(client, pair.upstream);
    relay(pair.upstream, client);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as AddressInfo).port,
    stopForwarding() {
      for (const pair of pairs) pair.forwarding = false;
    },
    get accepted() {
      return accepted;
    },
    async close() {
      for (const pair of pairs) {
        pair.client.destroy();
        pair.upstream.destroy();
      }
      server.close();
      await once(server, 'close');
    },
  };
}
