import { createTestSchema, TEST_DATABASE_URL, type TestSchema } from '@perfkit/testing';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  createMonitor,
  type ExplainClient,
  type ExplainPool,
  type Monitor,
  type SlowQuery,
} from '../../src/index.js';
import { captureLogger } from '../helpers/capture-logger.js';
import { testPool } from '../helpers/postgres.js';

// The filter keeps both rows, so pg_sleep (in FROM: once) always runs.
const SLOW_SQL = 'select x from (values (1), (2)) v(x), pg_sleep(0.15) where x <> $1';
const SECRET = 424242;

let schema: TestSchema;
beforeAll(async () => {
  schema = await createTestSchema('monitor_slow', { migrate: false });
  await schema.pool.query('create table locked_calls (id int)');
  await schema.pool.query('insert into locked_calls values (1)');
});
afterAll(() => schema.drop());

let pool: pg.Pool;
let monitor: Monitor;
const log = captureLogger();
afterEach(async () => {
  await monitor.close();
  await pool.end();
});

function nextSlowQuery(m: Monitor): Promise<SlowQuery> {
  return new Promise((resolve) => {
    const listener = (query: SlowQuery) => {
      m.off('slow-query', listener);
      resolve(query);
    };
    m.on('slow-query', listener);
  });
}

function instrumented(
  options: Parameters<typeof createMonitor>[0] = {},
  max = 4,
  poolToWatch = testPool(max),
): Monitor {
  pool = poolToWatch;
  monitor = createMonitor({
    processMetrics: false,
    logger: log.logger,
    slowQueries: { threshold: 100 },
    ...options,
  });
  monitor.instrumentPool(pool, { name: 'main' });
  return monitor;
}

describe('pg pool instrumentation', () => {
  it('logs a slow query with its EXPLAIN plan, parameters redacted', async () => {
    instrumented();
    const reported = nextSlowQuery(monitor);
    await pool.query(SLOW_SQL, [SECRET]);
    const slow = await reported;

    expect(slow).toMatchObject({
      shape: 'select x from (values (?), (?)) v(x), pg_sleep(?) where x <> ?',
      operation: 'SELECT',
      explain: 'explained',
      paramCount: 1,
    });
    expect(slow.durationMs).toBeGreaterThanOrEqual(100);
    expect(JSON.stringify(slow.plan)).toContain('"Node Type"');
    expect(JSON.stringify(slow.plan)).not.toContain(String(SECRET));
    const line = log.lines().find((l) => l.msg === 'slow query');
    expect(line).toMatchObject({ slowQuery: { shape: slow.shape, explain: 'explained' } });
    expect(log.text()).not.toContain(String(SECRET));
  });

  it('explains on its own connection even while the application pool is exhausted', async () => {
    instrumented({}, 1);
    const client = await pool.connect();
    try {
      const reported = nextSlowQuery(monitor);
      await client.query(SLOW_SQL, [1]);
      expect((await reported).explain).toBe('explained');
    } finally {
      client.release();
    }
  });

  it('returns the query result without waiting for EXPLAIN', async () => {
    let openGate: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      openGate = resolve;
    });
    const explainPool = testPool(1);
    const gated: ExplainPool = {
      connect: async (): Promise<ExplainClient> => gate.then(() => explainPool.connect()),
    };
    instrumented({ slowQueries: { threshold: 100, explainPool: gated } });
    let reportedAt = 0;
    monitor.on('slow-query', () => {
      reportedAt = performance.now();
    });

    const { rows } = await pool.query(SLOW_SQL, [1]).finally(() => setTimeout(openGate, 50));
    const returnedAt = performance.now();
    expect(reportedAt).toBe(0);
    await monitor.close();
    expect(rows).toHaveLength(1);
    expect(reportedAt).toBeGreaterThan(returnedAt);
    await explainPool.end();
  });

  it('explains a shape at most once per interval', async () => {
    instrumented();
    const decisions: string[] = [];
    monitor.on('slow-query', (q) => decisions.push(q.explain));
    await pool.query(SLOW_SQL, [1]);
    await pool.query(SLOW_SQL, [2]);
    await monitor.close();
    expect(decisions.sort()).toEqual(['explained', 'rate-limited']);
  });

  it('reports an EXPLAIN that hits its statement timeout without failing the query', async () => {
    const locker = await schema.pool.connect();
    let openGate: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      openGate = resolve;
    });
    const explainPool = testPool(1);
    instrumented({
      slowQueries: {
        threshold: 100,
        explainTimeout: 100,
        explainPool: { connect: () => gate.then(() => explainPool.connect()) },
      },
    });
    const reported = nextSlowQuery(monitor);
    const sql = `select pg_sleep(0.15), * from ${schema.schema}.locked_calls`;
    await pool.query(sql);
    // Planning needs a lock the other session now holds, so EXPLAIN waits into its timeout.
    await locker.query('begin');
    await locker.query(`lock table ${schema.schema}.locked_calls in access exclusive mode`);
    openGate();
    const slow = await reported;
    await locker.query('rollback');
    locker.release();
    await explainPool.end();
    expect(slow.explain).toBe('failed');
    expect(slow.explainError).toMatchObject({ code: 'PERFKIT_MONITOR_EXPLAIN_FAILED' });
    expect(slow.explainError?.message).toMatch(/statement timeout/);
  });

  it('reports an EXPLAIN whose database never answers as failed, and closes, instead of waiting forever', async () => {
    instrumented({
      slowQueries: {
        threshold: 100,
        explainTimeout: 100,
        // A database that takes the connection and never answers: connecting never ends.
        explainPool: { connect: () => new Promise<ExplainClient>(() => {}) },
      },
    });
    const reported = nextSlowQuery(monitor);
    await pool.query(SLOW_SQL, [SECRET]);

    const slow = await reported;
    expect(slow.explain).toBe('failed');
    expect(slow.explainError?.message).toMatch(/did not answer within 1100 ms/);
    await monitor.close();
  });

  it('times every query by operation, callback style included, and exports pool connection counts', async () => {
    instrumented({ slowQueries: { threshold: 10_000 } });
    await pool.query('select * from no_such_table').catch(() => undefined);
    await pool.query('select 1');
    await new Promise<void>((resolve, reject) =>
      pool.query('select $1::int as n', [2], (error) => (error ? reject(error) : resolve())),
    );

    const exposition = await monitor.registry.metrics();
    expect(exposition).toContain(
      'db_client_operation_duration_seconds_count{db_system_name="postgresql",db_operation_name="SELECT",outcome="success"} 2',
    );
    expect(exposition).toContain('db_operation_name="SELECT",outcome="error"} 1');
    expect(exposition).toContain(
      'db_client_connection_count{db_client_connection_pool_name="main",db_client_connection_state="idle"} 1',
    );
    expect(exposition).toContain(
      'db_client_connection_count{db_client_connection_pool_name="main",db_client_connection_state="used"} 0',
    );
    expect(exposition).toContain(
      'db_client_connection_pending_requests{db_client_connection_pool_name="main"} 0',
    );
    expect(monitor.snapshot().queries.map((q) => [q.shape, q.count])).toContainEqual([
      'select ?::int as n',
      1,
    ]);
  });

  it('logs a throwing slow-query listener and still tells the other listeners', async () => {
    instrumented();
    const heard: SlowQuery[] = [];
    monitor.on('slow-query', () => {
      throw new Error('listener bug');
    });
    monitor.on('slow-query', (query) => void heard.push(query));
    await pool.query(SLOW_SQL, [1]);
    await monitor.close();
    expect(heard).toHaveLength(1);
    expect(log.lines().find((line) => line.msg === 'monitor listener failed')).toMatchObject({
      event: 'slow-query',
      err: { message: 'listener bug' },
    });
  });

  it('survives the EXPLAIN connection being killed in the middle of its EXPLAIN, and reports the plan as failed', async () => {
    const applicationName = 'monitor-explain-killed';
    instrumented(
      { slowQueries: { threshold: 100, explainTimeout: 60_000 } },
      1,
      new pg.Pool({ connectionString: TEST_DATABASE_URL, application_name: applicationName }),
    );
    const locker = await schema.pool.connect();
    try {
      // The lock is asked for while the application's query runs, so it is granted between that query
      // and its EXPLAIN: planning then waits for it, the EXPLAIN connection checked out.
      const reported = nextSlowQuery(monitor);
      await locker.query('begin');
      const slow = pool.query(`select pg_sleep(0.3), * from ${schema.schema}.locked_calls`);
      await vi.waitFor(async () => {
        const { rowCount } = await schema.pool.query(
          `select 1 from pg_stat_activity where application_name = $1 and query like 'select pg_sleep(0.3)%'`,
          [applicationName],
        );
        expect(rowCount).toBe(1);
      });
      const locked = locker.query(`lock table ${schema.schema}.locked_calls in access exclusive mode`);
      await slow;
      await locked;
      await vi.waitFor(async () => {
        const { rowCount } = await schema.pool.query(
          `select pg_terminate_backend(pid) from pg_stat_activity
            where application_name = $1 and query like 'EXPLAIN%' and wait_event_type = 'Lock'`,
          [applicationName],
        );
        expect(rowCount).toBe(1);
      });
      expect((await reported).explain).toBe('failed');
    } finally {
      await locker.query('rollback');
      locker.release();
    }
  });

  it('logs the EXPLAIN connection the server closes while idle, and explains again on a new one', async () => {
    const applicationName = 'monitor-explain-lost';
    instrumented(
      {},
      1,
      new pg.Pool({ connectionString: TEST_DATABASE_URL, application_name: applicationName }),
    );
    const first = nextSlowQuery(monitor);
    await pool.query(SLOW_SQL, [1]);
    expect((await first).explain).toBe('explained');

    // The EXPLAIN connection's last statement is its ROLLBACK; the application's is SLOW_SQL.
    const { rowCount } = await schema.pool.query(
      `select pg_terminate_backend(pid) from pg_stat_activity
        where application_name = $1 and state = 'idle' and query = 'ROLLBACK'`,
      [applicationName],
    );
    expect(rowCount).toBe(1);
    await vi.waitFor(() =>
      expect(log.lines().find((line) => line.msg === 'EXPLAIN pool connection lost')).toBeDefined(),
    );

    const second = nextSlowQuery(monitor);
    await pool.query(`${SLOW_SQL} and x <> 3`, [1]);
    expect((await second).explain).toBe('explained');
  });
});
