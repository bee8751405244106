/**
 * The event Kysely passes to its `log` option (structurally, so that the
 * monitor does not depend on Kysely).
 *
 * @example
 * ```ts
 * const db = new Kysely<DB>({ dialect, log: monitor.kyselyLog });
 * ```
 */
export interface KyselyLogEvent {
  level: 'query' | 'error';
  query: { sql: string; parameters: readonly unknown[] };
  queryDurationMillis: number;
}
