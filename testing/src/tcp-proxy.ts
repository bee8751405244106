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
  /**
   * Holds what the server sends on every connection, open now or accepted until then (the client's bytes
   * still reach the server), as a slow network would, until the returned function passes it on in order.
   */
  holdReplies(): () => void;
  /** Connections accepted so far. */
  readonly accepted: number;
  /** Connections open now: one leaves when either of its sockets closes. */
  readonly open: number;
  close(): Promise<void>;
}

interface Pair {
  client: Socket;
  upstream: Socket;
  forwarding: boolean;
  /** The server's bytes held back, while its replies are held. */
  held: Buffer[] | undefined;
}

/** Starts a proxy on 127.0.0.1, port 0, forwarding to `target`. */
export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const pairs = new Set<Pair>();
  let accepted = 0;
  let holding = false;
  const server = createServer((client) => {
    accepted++;
    const pair: Pair = {
      client,
      upstream: tcpConnect(target.port, target.host),
      forwarding: true,
      held: holding ? [] : undefined,
    };
    pairs.add(pair);
    const relay = (from: Socket, to: Socket) => {
      from.on('data', (chunk: Buffer) => {
        if (!pair.forwarding) return;
        if (from === pair.upstream && pair.held) pair.held.push(chunk);
        else to.write(chunk);
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
    holdReplies() {
      holding = true;
      for (const pair of pairs) pair.held = [];
      return () => {
        holding = false;
        for (const pair of pairs) {
          for (const chunk of pair.held ?? []) pair.client.write(chunk);
          pair.held = undefined;
        }
      };
    },
    get accepted() {
      return accepted;
    },
    get open() {
      return pairs.size;
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
