export type { PlanCheckOptions } from './audit/plan-findings.js';
export { PLAN_CHECK_DEFAULTS, planFindings } from './audit/plan-findings.js';
export { readQueryFile } from './audit/query-source.js';
export type {
  AuditedQuery,
  AuditFinding,
  AuditReport,
  FindingKind,
  IndexSuggestion,
  Severity,
  TopStatement,
} from './audit/report-schema.js';
export { auditReportSchema } from './audit/report-schema.js';
export type { AuditOptions } from './audit/run-audit.js';
export { auditFails, runAudit } from './audit/run-audit.js';
export { schemaFindings } from './audit/schema-findings.js';
export type { AuditQuery } from './audit/types.js';
export type { CalibrateOptions, CalibrationEntry, CalibrationResult } from './compare/calibrate.js';
export { calibrateGate, splitReport } from './compare/calibrate.js';
export type { CompareOptions } from './compare/compare-reports.js';
export {
  COMPARE_DEFAULTS,
  compareReports,
  configDifferences,
  GATE_METRICS,
} from './compare/compare-reports.js';
export { minimumPValue, rankSumPValue, relativeShift } from './compare/rank-test.js';
export type {
  CompareResult,
  GateMetric,
  MetricComparison,
  TargetComparison,
} from './compare/result-schema.js';
export { compareResultSchema } from './compare/result-schema.js';
export type { PerfCliErrorCode } from './errors.js';
export {
  ConfigMismatchError,
  DatabaseUnavailableError,
  EXIT_CODES,
  InvalidOptionError,
  InvalidReportError,
  isCliError,
  PerfCliError,
  PermissionDeniedError,
  SchemaMissingError,
} from './errors.js';
export type { CliIo } from './io.js';
export { auditReportJsonSchema, compareResultJsonSchema, loadtestReportJsonSchema } from './json-schemas.js';
export type { Histogram, LatencyMetric } from './loadtest/histogram.js';
export {
  createHistogram,
  decodeHistogram,
  encodeHistogram,
  mergeHistograms,
  summarize,
} from './loadtest/histogram.js';
export type { LoadtestOptions, LoadtestProgress } from './loadtest/loadtest-options.js';
export { defaultWorkers, LOADTEST_DEFAULTS, LOADTEST_LIMITS } from './loadtest/loadtest-options.js';
export type { MergeInput } from './loadtest/merge-reports.js';
export { mergeReports } from './loadtest/merge-reports.js';
export { parseReport, readReport, writeReport } from './loadtest/report-file.js';
export type {
  ErrorCounts,
  GeneratorLoad,
  GeneratorReport,
  LatencySummary,
  LoadModel,
  LoadtestConfig,
  LoadtestReport,
  RepetitionReport,
  ReportPart,
  RunMetadata,
  Shard,
  TargetReport,
  Threshold,
  ThresholdResult,
} from './loadtest/report-schema.js';
export { loadtestReportSchema } from './loadtest/report-schema.js';
export { PHASE_GAP_MS, runLoadtest } from './loadtest/run-loadtest.js';
export { totalErrors } from './loadtest/run-result.js';
export { generatorDemand, MAX_GENERATOR_LOAD, saturationReasons } from './loadtest/saturation.js';
export { formatShard, parseShard, WHOLE_RUN } from './loadtest/shard.js';
export type { LoadTarget } from './loadtest/targets.js';
export { loadTargetsFile, parseTargetFlag } from './loadtest/targets.js';
export type { ThresholdInput } from './loadtest/thresholds.js';
export { evaluateThresholds, parseThreshold } from './loadtest/thresholds.js';
export { createProgram, runCli } from './program.js';
export { renderHtmlReport } from './report/html-report.js';
export { REDACTED, redactUrl } from './util/redact-url.js';
