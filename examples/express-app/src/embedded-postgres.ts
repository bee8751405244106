/** An embedded PostgreSQL (PGlite in WASM) served over TCP for pg clients. */
export interface EmbeddedPostgres {
  /** e.g. `postgresql://postgres@127.0.0.1:41234/postgres`. */
  url: string;
  stop(): Promise<void>;
}

/**
 * What the app needs to run on the embedded PGlite, which serves every
 * connection from one session: one pooled connection, since the extended
 * protocol's messages of two connections interleave there ("portal does not
 * exist"), and unnamed statements, since a name prepared by one app process
 * is still taken when the next one starts. PGlite runs one query at a time
 * anyway, so one connection costs no throughput.
 */
export const EMBEDDED_APP_ENV: Readonly<Record<string, string>> = {
  DB_POOL_SIZE: '1',
  DB_PREPARED_STATEMENTS: 'off',
};

/**
 * Starts PGlite in memory behind `@electric-sql/pglite-socket` on a free
 * port, for machines without PostgreSQL. It serializes every query (one
 * backend), so it is several times slower than a real server; the demo says
 * so when it uses it.
 *
 * @example
 * const pg = await startEmbeddedPostgres();
 * process.env.DATABASE_URL = pg.url;
 */
export async function startEmbeddedPostgres(): Promise<EmbeddedPostgres> {
  // Loaded only when needed: PGlite takes seconds and about 1 GB to start.
  const { PGlite } = await import('@electric-sql/pglite');
  const { PGLiteSocketServer } = await import('@electric-sql/pglite-socket');
  const db = await PGlite.create();
  // The app's pool (10) plus the seeder's must fit; more connections only queue inside PGlite.
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: 24 });
  await server.start();
  return {
    url: `postgresql://postgres@${server.getServerConn()}/postgres`,
    async stop() {
      await server.stop();
      await db.close();
    },
  };
}
