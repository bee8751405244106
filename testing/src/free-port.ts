import { type AddressInfo, createServer, type Server } from 'node:net';

/**
 * `count` distinct TCP ports on 127.0.0.1 that nothing listened on a moment ago, for servers a test
 * starts itself (a private `redis-server`, a PostgreSQL cluster) that cannot listen on port 0. All are
 * held open until all are known, so they differ.
 *
 * @example
 * const [primary, replica] = await freePorts(2);
 */
export async function freePorts(count: number): Promise<number[]> {
  const listen = () =>
    new Promise<Server>((resolve, reject) => {
      const server = createServer();
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve(server));
    });
  const servers: Server[] = [];
  try {
    for (let i = 0; i < count; i++) servers.push(await listen());
    return servers.map((server) => (server.address() as AddressInfo).port);
  } finally {
    await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  }
}

/**
 * One free port (see `freePorts`).
 *
 * @example
 * const port = await freePort();
 * spawn('redis-server', ['--port', String(port)]);
 */
export async function freePort(): Promise<number> {
  const [port] = await freePorts(1);
  if (port === undefined) throw new Error('no free port');
  return port;
}
