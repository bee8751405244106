import { withDefaults } from '@perfkit/primitives';
import { DEFAULT_DATABASE_URL } from '@perfkit/queries';
import { declaredIndexes } from '@perfkit/queries/admin';
import { checkDatabaseUrl, connectClient, databaseFailure } from '../util/database-url.js';
import { checkNumber, type NumberBounds, POSTGRES_MAX_TIMEOUT_MS } from '../util/option-checks.js';
import { checkSchemaName, requireSchema, searchPathSql } from '../util/schema-name.js';
import { loadCatalog } from './catalog-source.js';
import { mergeSuggestions, suggestIndexes, verifyWithHypopg } from './index-advice.js';
import { PLAN_CHECK_DEFAULTS, type PlanCheckOptions, planFindings } from './plan-findings.js';
import { explainReadOnly, READ_ONLY_VIOLATION } from './read-only-explain.js';
import {
  type AuditedQuery,
  type AuditFinding,
  type AuditReport,
  type IndexSuggestion,
  SEVERITIES,
  type Severity,
  type TopStatement,
} from './report-schema.js';
import { schemaFindings } from './schema-findings.js';
import { readSchemaSnapshot } from './schema-snapshot.js';
import { topStatements } from './stat-statements.js';
import type { AuditQuery, ExplainResult } from './types.js';

/** Options of {@link runAudit}. */
export interface AuditOptions {
  /** PostgreSQL URL. Default: `DATABASE_URL`, else `postgresql://postgres@127.0.0.1:5432/postgres`. */
  connectionString?: string;
  /**
   * Schema whose tables and indexes are checked, and in which the queries run
   * (first on the `search_path`, then `public`); a plain identifier that
   * exists. Default: the connection's `current_schema()` and `search_path`.
   */
  schema?: string;
  /** Queries to explain. Default: the `@perfkit/queries` catalog. */
  queries?: AuditQuery[];
  /** Each EXPLAIN ANALYZE is cancelled after this many ms, at most 2 147 483 647 (PostgreSQL's limit). Default: 30 000. */
  statementTimeoutMs?: number;
  /** Limits of the plan checks. */
  planChecks?: PlanCheckOptions;
  /** Top statements read from pg_stat_statements when it is there. Default: 10. */
  topQueries?: number;
}

/** What each numeric option accepts. */
const PLAN_CHECK_BOUNDS: Record<keyof PlanCheckOptions, NumberBounds> = {
  largeTableRows: { min: 1 },
  misestimateFactor: { above: 1 },
  misestimateMinRows: { min: 0 },
  discardRatio: { above: 0, max: 1 },
  discardMinRows: { min: 0 },
  nestedLoopMaxLoops: { min: 1 },
};

/** Fills in the defaults and checks every option, naming the one that is wrong (`planChecks.discardRatio`). */
function resolveAuditOptions(options: AuditOptions) {
  const planChecks = withDefaults(PLAN_CHECK_DEFAULTS, options.planChecks);
  for (const [name, bounds] of Object.entries(PLAN_CHECK_BOUNDS))
    checkNumber(planChecks[name as keyof PlanCheckOptions], `planChecks.${name}`, bounds);
  return {
    schema: options.schema === undefined ? undefined : checkSchemaName(options.schema, 'schema'),
    connectionString: checkDatabaseUrl(
      options.connectionString ?? process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL,
      options.connectionString === undefined ? 'DATABASE_URL' : 'connectionString',
    ),
    timeoutMs: checkNumber(options.statementTimeoutMs ?? 30_000, 'statementTimeoutMs', {
      above: 0,
      max: POSTGRES_MAX_TIMEOUT_MS,
      unit: 'ms',
    }),
    topQueries: checkNumber(options.topQueries ?? 10, 'topQueries', { min: 0, integer: true }),
    planChecks,
  };
}

const blocks = (plan: ExplainResult, key: 'Shared Hit Blocks' | 'Shared Read Blocks') =>
  plan.Plan[key] ?? null;

/**
 * Audits a database: EXPLAIN (ANALYZE, BUFFERS) of every catalog query (or
 * the given ones), each alone in a read-only transaction that is rolled back
 * (a write is not run: its estimated plan is checked instead), plan findings, schema
 * findings, index suggestions (verified with HypoPG where installed, marked
 * unverified where not) and the top statements from pg_stat_statements
 * where it is loaded.
 *
 * @example
 * const report = await runAudit({ connectionString: process.env.DATABASE_URL });
 * report.findings.filter((f) => f.severity === 'high')
 */
export async function runAudit(options: AuditOptions = {}): Promise<AuditReport> {
  const {
    connectionString,
    schema: auditedSchema,
    timeoutMs,
    topQueries,
    planChecks,
  } = resolveAuditOptions(options);
  const client = await connectClient(connectionString, 'perf-cli audit');
  try {
    if (auditedSchema !== undefined) {
      await requireSchema(client, auditedSchema, 'schema', connectionString);
      // The queries must read the tables the schema checks read, whatever the connection's own path.
      await client.query(searchPathSql(auditedSchema));
    }
    const queries = options.queries ?? (await loadCatalog(connectionString, auditedSchema));
    const meta = await client.query<{ version: string; schema: string; hypopg: boolean; pgss: boolean }>(
      `SELECT current_setting('server_version') AS version, coalesce($1::text, current_schema()) AS schema,
              EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'hypopg') AS hypopg,
              EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_stat_statements') AS pgss`,
      [auditedSchema ?? null],
    );
    const { version, schema, hypopg, pgss } = meta.rows[0] ?? {
      version: '?',
      schema: 'public',
      hypopg: false,
      pgss: false,
    };
    const snapshot = await readSchemaSnapshot(client, schema);
    const tableRows = new Map(snapshot.tables.map((t) => [t.name, t.rows]));
    const findings: AuditFinding[] = [];
    const suggestions: IndexSuggestion[] = [];
    const audited: AuditedQuery[] = [];
    const notes: string[] = [];

    const estimate = (query: AuditQuery) =>
      explainReadOnly(client, query, { analyze: false, timeoutMs }).catch(() => undefined);
    for (const query of queries) {
      try {
        const plan = await explainReadOnly(client, query, { analyze: true, timeoutMs });
        findings.push(...planFindings(query.name, plan, tableRows, planChecks));
        suggestions.push(...suggestIndexes(query.name, plan, snapshot, planChecks.largeTableRows));
        audited.push({
          name: query.name,
          sql: query.sql,
          planningMs: plan['Planning Time'] ?? null,
          executionMs: plan['Execution Time'] ?? null,
          totalCost: plan.Plan['Total Cost'],
          sharedHitBlocks: blocks(plan, 'Shared Hit Blocks'),
          sharedReadBlocks: blocks(plan, 'Shared Read Blocks'),
          error: null,
        });
      } catch (error) {
        const e = error as Error & { code?: string };
        const timedOut = e.code === '57014';
        const write = e.code === READ_ONLY_VIOLATION;
        findings.push(
          write
            ? {
                kind: 'write_not_executed',
                severity: 'info',
                query: query.name,
                message: `${query.name} writes, so it was not run (the audit is read-only); its estimated plan is checked`,
                detail: { code: e.code ?? null },
              }
            : {
                kind: timedOut ? 'statement_timeout' : 'query_error',
                severity: 'high',
                query: query.name,
                message: timedOut
                  ? `${query.name} did not finish within ${timeoutMs} ms`
                  : `${query.name} failed: ${e.message}`,
                detail: { code: e.code ?? null },
              },
        );
        // A timed-out query or a write still has an estimated plan worth checking.
        const plan = timedOut || write ? await estimate(query) : undefined;
        if (plan) {
          findings.push(...planFindings(query.name, plan, tableRows, planChecks));
          suggestions.push(...suggestIndexes(query.name, plan, snapshot, planChecks.largeTableRows));
        }
        audited.push({
          name: query.name,
          sql: query.sql,
          planningMs: null,
          executionMs: null,
          totalCost: plan?.Plan['Total Cost'] ?? null,
          sharedHitBlocks: null,
          sharedReadBlocks: null,
          error: write ? 'not run: it writes (estimated plan only)' : e.message,
        });
      }
    }

    findings.push(
      ...schemaFindings(snapshot, { largeTableRows: planChecks.largeTableRows, declaredIndexes }),
    );
    const merged = mergeSuggestions(suggestions);
    if (hypopg) await verifyWithHypopg(client, merged, queries, timeoutMs);
    else if (merged.length > 0)
      notes.push(
        'HypoPG is not installed: index suggestions are unverified (CREATE EXTENSION hypopg to verify them)',
      );
    let top: TopStatement[] | null = null;
    if (pgss) {
      top = await topStatements(client, topQueries);
      if (top === null)
        notes.push(
          'pg_stat_statements is installed but not loaded (shared_preload_libraries): no top queries',
        );
    } else notes.push('pg_stat_statements is not installed: no top queries');

    findings.sort((a, b) => SEVERITIES.indexOf(a.severity) - SEVERITIES.indexOf(b.severity));
    const summary = Object.fromEntries(
      SEVERITIES.map((s) => [s, findings.filter((f) => f.severity === s).length]),
    ) as Record<Severity, number>;
    return {
      format: 'perfkit-audit',
      version: 1,
      database: { serverVersion: version, schema },
      extensions: { hypopg, pgStatStatements: pgss },
      queries: audited,
      findings,
      suggestions: merged,
      topQueries: top,
      summary,
      notes,
    };
  } catch (error) {
    // A lost connection, or a role that may not read the catalog's tables: the user's to fix.
    throw databaseFailure(connectionString, error) ?? error;
  } finally {
    await client.end().catch(() => {});
  }
}

/**
 * Whether a report fails at the `--fail-on` severity (`none` never fails).
 *
 * @example
 * auditFails(report, 'high') // true when any finding is high
 */
export function auditFails(report: AuditReport, failOn: Severity | 'none'): boolean {
  if (failOn === 'none') return false;
  const limit = SEVERITIES.indexOf(failOn);
  return report.findings.some((f) => SEVERITIES.indexOf(f.severity) <= limit);
}
