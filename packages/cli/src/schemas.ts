/**
 * JSON Schemas (draft-07) of the CLI's JSON outputs, so consumers (CI
 * scripts, dashboards) can validate what they read. Tests hold every
 * output to them.
 *
 * @example
 * new Ajv().compile(loadtestReportSchema)(JSON.parse(readFileSync('baseline.json', 'utf8')))
 */
const num = { type: 'number' } as const;
const str = { type: 'string' } as const;
const int = { type: 'integer', minimum: 0 } as const;
const nullable = (schema: object) => ({ anyOf: [schema, { type: 'null' }] });
const obj = (properties: Record<string, unknown>, extra: { additional?: boolean } = {}) => ({
  type: 'object',
  required: Object.keys(properties),
  properties,
  additionalProperties: extra.additional ?? false,
});

const latency = obj({ count: int, mean: num, p50: num, p90: num, p99: num, p999: num, max: num });
const errors = obj({ status: int, network: int, timeout: int });
const encodedHistogram = { type: 'string', pattern: '^[A-Za-z0-9+/=]+$' } as const;
const shard = obj({ index: { type: 'integer', minimum: 1 }, count: { type: 'integer', minimum: 1 } });
const metadata = obj({
  gitCommit: nullable(str),
  nodeVersion: str,
  cpuModel: str,
  cpuCount: int,
  platform: str,
  date: { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}T' },
});

/** Schema of `loadtest --json` output and of `--save` baseline files. */
export const loadtestReportSchema = obj({
  format: { const: 'perfkit-loadtest' },
  version: { const: 1 },
  metadata,
  config: obj({
    model: { enum: ['open', 'closed'] },
    rate: nullable(num),
    connections: int,
    durationMs: num,
    warmupMs: num,
    repetitions: int,
    timeoutMs: num,
    latencyCorrection: { enum: ['intended-send-time', 'wrk-mean-interval'] },
    workers: { type: 'integer', minimum: 1 },
    shard: nullable(shard),
    startAt: nullable(str),
    targets: {
      type: 'array',
      items: obj({
        name: str,
        method: str,
        url: str,
        headerNames: { type: 'array', items: str },
        hasBody: { type: 'boolean' },
      }),
    },
  }),
  targets: {
    type: 'array',
    items: obj({
      name: str,
      latency,
      uncorrectedLatency: nullable(latency),
      rps: num,
      requests: int,
      errors,
      late: int,
      dropped: int,
      repetitions: {
        type: 'array',
        minItems: 1,
        items: obj({
          index: int,
          startedAt: str,
          elapsedMs: num,
          scheduled: int,
          requests: int,
          errors,
          rps: num,
          late: int,
          dropped: int,
          latency,
          uncorrectedLatency: nullable(latency),
          sendLagP99Ms: nullable(num),
          histogram: encodedHistogram,
          uncorrectedHistogram: nullable(encodedHistogram),
          sendLagHistogram: nullable(encodedHistogram),
          generator: nullable(
            obj({
              cpuCores: num,
              workers: {
                type: 'array',
                items: obj({
                  busy: { type: 'number', minimum: 0, maximum: 1 },
                  cpu: nullable(num),
                  cpuWait: nullable(num),
                  loopDelayP99Ms: num,
                }),
              },
            }),
          ),
          inconclusive: { type: 'array', items: str },
        }),
      },
    }),
  },
  thresholds: {
    type: 'array',
    items: obj({
      source: str,
      target: str,
      metric: str,
      op: { enum: ['<', '<=', '>', '>='] },
      value: num,
      checkedTarget: str,
      actual: num,
      passed: { type: 'boolean' },
    }),
  },
  inconclusive: { type: 'array', items: str },
  verdict: { enum: ['pass', 'fail', 'inconclusive'] },
  parts: nullable({
    type: 'array',
    items: obj({ shard, workers: { type: 'integer', minimum: 1 }, metadata }),
  }),
});

const finding = {
  type: 'object',
  required: ['kind', 'severity', 'message', 'detail'],
  properties: {
    kind: {
      enum: [
        'seq_scan_large_table',
        'row_misestimate',
        'filter_discards_rows',
        'sort_spill',
        'hash_spill',
        'nested_loop_many_loops',
        'statement_timeout',
        'query_error',
        'write_not_executed',
        'fk_without_index',
        'duplicate_index',
        'overlapping_index',
        'unused_index',
        'invalid_index',
        'table_never_analyzed',
      ],
    },
    severity: { enum: ['high', 'medium', 'low', 'info'] },
    query: str,
    table: str,
    index: str,
    message: str,
    detail: { type: 'object' },
  },
  additionalProperties: false,
};

/** Schema of `audit --json` output. */
export const auditReportSchema = obj({
  format: { const: 'perfkit-audit' },
  version: { const: 1 },
  database: obj({ serverVersion: str, schema: str }),
  extensions: obj({ hypopg: { type: 'boolean' }, pgStatStatements: { type: 'boolean' } }),
  queries: {
    type: 'array',
    items: obj({
      name: str,
      sql: str,
      planningMs: nullable(num),
      executionMs: nullable(num),
      totalCost: nullable(num),
      sharedHitBlocks: nullable(num),
      sharedReadBlocks: nullable(num),
      error: nullable(str),
    }),
  },
  findings: { type: 'array', items: finding },
  suggestions: {
    type: 'array',
    items: obj({
      table: str,
      columns: { type: 'array', items: str, minItems: 1 },
      sql: { type: 'string', pattern: '^CREATE INDEX CONCURRENTLY ' },
      reason: str,
      queries: { type: 'array', items: str },
      status: { enum: ['verified', 'no-gain', 'unverified'] },
      costBefore: nullable(num),
      costAfter: nullable(num),
    }),
  },
  topQueries: nullable({
    type: 'array',
    items: obj({ query: str, calls: num, totalMs: num, meanMs: num, rows: num, sharedReadBlocks: num }),
  }),
  summary: obj({ high: int, medium: int, low: int, info: int }),
  notes: { type: 'array', items: str },
});

/** Schema of `compare --json` output. */
export const compareResultSchema = obj({
  format: { const: 'perfkit-compare' },
  version: { const: 1 },
  verdict: { enum: ['pass', 'regression', 'inconclusive'] },
  reasons: { type: 'array', items: str },
  alpha: num,
  minEffect: num,
  metrics: { type: 'array', items: str },
  repetitions: obj({ base: int, current: int }),
  targets: {
    type: 'array',
    items: obj({
      name: str,
      base: { type: 'object' },
      current: { type: 'object' },
      metrics: {
        type: 'array',
        items: obj({
          metric: str,
          baseValues: { type: 'array', items: num },
          currentValues: { type: 'array', items: num },
          base: num,
          current: num,
          shift: num,
          pValue: { type: 'number', minimum: 0, maximum: 1 },
          level: num,
          regression: { type: 'boolean' },
          improvement: { type: 'boolean' },
        }),
      },
    }),
  },
});
